package muchat.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A stored chat message as the server pushes it (msgid 6 with {@code toid}, or 10 with
 * {@code groupid}) and as HISTORY_ACK lists it. {@code id} and {@code name} are the
 * sender's; {@code seq} is the recipient's inbox sequence, absent where there is none
 * (history, legacy connections).
 */
public record ChatMessage(long id, String name, Long toid, Long groupid, String msg,
                          String time, Long ts, Long mid, Long seq) implements InboxPush {

    /** A message to one user, not yet numbered in an inbox. */
    public static ChatMessage toUser(long fromId, String fromName, long toid, String msg, long ts, long mid) {
        return new ChatMessage(fromId, fromName, toid, null, msg, Json.localTime(ts), ts, mid, null);
    }

    /** A message to a group, not yet numbered in an inbox. */
    public static ChatMessage toGroup(long fromId, String fromName, long groupid, String msg, long ts, long mid) {
        return new ChatMessage(fromId, fromName, null, groupid, msg, Json.localTime(ts), ts, mid, null);
    }

    /** The same message as it reaches one recipient, numbered {@code seq} in that inbox. */
    @Override
    public ChatMessage withSeq(Long seq) {
        return new ChatMessage(id, name, toid, groupid, msg, time, ts, mid, seq);
    }

    @Override
    @JsonIgnore
    public boolean classic() {
        return true;
    }

    @Override
    public MsgType type() {
        return groupid != null ? MsgType.GROUP_CHAT : MsgType.ONE_CHAT;
    }
}
