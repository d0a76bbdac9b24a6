package muchat.protocol;

import java.util.List;

/** HISTORY_ACK (109): {@code messages} newest first. */
public record HistoryAck(int errno, String errmsg, List<ChatMessage> messages) implements Message {

    public static HistoryAck ok(List<ChatMessage> messages) {
        return new HistoryAck(Errno.OK.code(), null, messages);
    }

    public static HistoryAck error(Errno errno, String errmsg) {
        return new HistoryAck(errno.code(), errmsg, null);
    }

    @Override
    public MsgType type() {
        return MsgType.HISTORY_ACK;
    }
}
