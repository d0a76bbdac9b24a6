package muchat.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A stored chat message as the server pushes it (msgid 6 with {@code toid}, or 10 with
 * {@code groupid}) and as HISTORY_ACK lists it. {@code id} and {@code name} are the
 * sender's; {@code seq} is the recipient's inbox sequence, absent where there is none
 * (history, legacy connections). {@code recalled} is true, with an empty {@code msg},
 * for a message its sender recalled, and absent otherwise.
 */
public record ChatMessage(long id, String name, Long toid, Long groupid, String msg,
                          String time, Long ts, Long mid, Long seq, Boolean recalled) implements InboxPush {

    /** A message to one user, not yet numbered in an inbox. */
    public static ChatMessage toUser(long fromId, String fromName, long toid, String msg, long ts, long mid) {
        return new ChatMessage(fromId, fromName, toid, null, msg, Json.localTime(ts), ts, mid, null, null);
    }

    /** A message to a group, not yet numbered in an inbox. */
    public static ChatMessage toGroup(long fromId, String fromName, long groupid, String msg, long ts, long mid) {
        return new ChatMessage(fromId, fromName, null, groupid, msg, Json.localTime(ts), ts, mid, null, null);
    }

    /** The same message as it reaches one recipient, numbered {@code seq} in that inbox. */
    @Override
    public ChatMessage withSeq(Long seq) {
        return new ChatMessage(id, name, toid, groupid, msg, time, ts, mid, seq, recalled);
    }

    /** The message as its sender recalled it: no text. */
    public ChatMessage asRecalled() {
        return new ChatMessage(id, name, toid, groupid, "", time, ts, mid, seq, true);
    }

    /** A classic client knows chat messages, but not one recalled before it reached the client. */
    @Override
    @JsonIgnore
    public boolean classic() {
        return recalled == null;
    }

    @Override
    public MsgType type() {
        return groupid != null ? MsgType.GROUP_CHAT : MsgType.ONE_CHAT;
    }
}
