package muchat.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import muchat.protocol.ChatMessage;
import muchat.protocol.ConversationsAck;
import muchat.protocol.Errno;
import muchat.protocol.Friend;
import muchat.protocol.FriendReplyNotice;
import muchat.protocol.FriendRequestNotice;
import muchat.protocol.Group;
import muchat.protocol.GroupRequestsAck.Requester;
import muchat.protocol.GroupUser;
import muchat.protocol.PresenceNotice;
import muchat.protocol.ReadReceipt;
import muchat.protocol.RecallEvent;
import muchat.text.Printable;

/**
 * The text the terminal client shows for each kind of message. What other people wrote
 * (names, messages, group names, the server's sentences) goes through
 * {@link Printable#escape}: a control character in it must not move the cursor, change
 * colours or reorder the line, nor a line break fake a line of its own.
 */
final class Render {
    private Render() {
    }

    /** {@code [time] alice(3) -> you: hello} or {@code [time] alice(3) -> group 7: hello}. */
    static String chat(ChatMessage m, long self) {
        String from = m.id() == self ? "you" : Printable.escape(m.name()) + "(" + m.id() + ")";
        String to = m.groupid() != null ? "group " + m.groupid()
                : m.toid() != null && m.toid() == self ? "you" : "user " + m.toid();
        String text = Boolean.TRUE.equals(m.recalled()) ? "(recalled)" : Printable.escape(m.msg());
        return "[" + m.time() + "] " + from + " -> " + to + ": " + text;
    }

    /** {@code (read) user 3 has read up to mid 44}, or {@code (read) you have read user 3 up to mid 44}. */
    static String receipt(ReadReceipt r, long self) {
        if (r.id() == self) { // a READ from another device of ours (docs/protocol.md, 112 READ)
            String where = r.groupid() != null ? "group " + r.groupid() : "user " + r.peer();
            return "(read) you have read " + where + " up to mid " + r.mid();
        }
        return "(read) user " + r.id() + " has read up to mid " + r.mid();
    }

    /** {@code (recalled) user 1 took back mid 44 (to you)} or {@code (in group 7)}. */
    static String recall(RecallEvent r, long self) {
        String who = r.id() == self ? "you" : "user " + r.id();
        String where = r.groupid() != null ? "in group " + r.groupid()
                : r.toid() != null && r.toid() == self ? "to you" : "to user " + r.toid();
        return "(recalled) " + who + " took back mid " + r.mid() + " (" + where + ")";
    }

    /** One line per conversation: {@code 3 bob: 2 unread, last: [time] ...} or {@code g7 team: ...}. */
    static List<String> conversations(List<ConversationsAck.Item> convs, long self) {
        List<String> lines = new ArrayList<>();
        lines.add("conversations:" + (convs.isEmpty() ? " none" : ""));
        for (ConversationsAck.Item c : convs) {
            String id = c.groupid() != null ? "g" + c.groupid() : String.valueOf(c.peer());
            lines.add("  " + id + "  " + Printable.escape(c.name()) + "  " + c.unread() + " unread"
                    + (c.last() == null ? "" : "  last: " + chat(c.last(), self)));
        }
        return lines;
    }

    /** {@code [time] alice(3) asks to be your friend (accept:3 or reject:3)}. */
    static String friendRequest(FriendRequestNotice r) {
        return "[" + r.time() + "] " + Printable.escape(r.name()) + "(" + r.id() + ") asks to be your friend (accept:"
                + r.id() + " or reject:" + r.id() + ")";
    }

    /** {@code [time] bob(4) accepted your friend request}, or turned it down. */
    static String friendReply(FriendReplyNotice r) {
        return "[" + r.time() + "] " + Printable.escape(r.name()) + "(" + r.id() + ") "
                + (r.accept() ? "accepted your friend request" : "turned your friend request down");
    }

    /** {@code bob(4) is online}; {@code name} is null for a user not among the friends of the login. */
    static String presence(PresenceNotice p, String name) {
        return who(p.id(), name) + " is " + p.state().wire();
    }

    /** {@code bob(4) is typing}. */
    static String typing(long id, String name) {
        return who(id, name) + " is typing";
    }

    private static String who(long id, String name) {
        return name == null ? "user " + id : Printable.escape(name) + "(" + id + ")";
    }

    /** The friend requests that came since login and are not answered yet: id to name. */
    static List<String> friendRequests(Map<Long, String> requests) {
        List<String> lines = new ArrayList<>();
        lines.add("friend requests:" + (requests.isEmpty() ? " none" : ""));
        requests.forEach((id, name) -> lines.add("  " + id + "  " + Printable.escape(name)));
        return lines;
    }

    static String error(int errno, String errmsg) {
        Errno known = Errno.of(errno);
        String sentence = errmsg != null ? errmsg : known != null ? known.sentence() : "";
        return "error " + errno + ": " + Printable.escape(sentence);
    }

    static List<String> friends(List<Friend> friends) {
        List<String> lines = new ArrayList<>();
        lines.add("friends:" + (friends.isEmpty() ? " none" : ""));
        for (Friend f : friends) {
            lines.add("  " + f.id() + "  " + Printable.escape(f.name()) + "  " + f.state().wire());
        }
        return lines;
    }

    static List<String> groups(List<Group> groups) {
        List<String> lines = new ArrayList<>();
        lines.add("groups:" + (groups.isEmpty() ? " none" : ""));
        for (Group g : groups) {
            lines.add("  " + g.id() + "  " + Printable.escape(g.groupname()) + "  " + Printable.escape(g.groupdesc()));
            for (GroupUser u : g.users()) {
                lines.add("      " + u.id() + "  " + Printable.escape(u.name()) + "  " + u.state().wire() + "  "
                        + u.role().wire());
            }
        }
        return lines;
    }

    /** The users asking to join a private group; their names are theirs, so escaped. */
    static List<String> requests(List<Requester> requests) {
        List<String> lines = new ArrayList<>();
        lines.add("join requests:" + (requests.isEmpty() ? " none" : ""));
        for (Requester r : requests) {
            lines.add("  " + r.id() + "  " + Printable.escape(r.name()));
        }
        return lines;
    }
}
