package muchat.protocol;

import java.util.List;

/** CONVERSATIONS_ACK (111): {@code convs} newest first. */
public record ConversationsAck(int errno, String errmsg, List<Item> convs) implements Message {

    /**
     * One conversation: with user {@code peer} or in group {@code groupid}, named
     * {@code name}; {@code last} its newest message (absent if none), {@code unread} the
     * messages of others after the read position {@code read} (a mid).
     */
    public record Item(Long peer, Long groupid, String name, ChatMessage last, long unread, long read) {
    }

    public static ConversationsAck ok(List<Item> convs) {
        return new ConversationsAck(Errno.OK.code(), null, convs);
    }

    public static ConversationsAck error(Errno errno, String errmsg) {
        return new ConversationsAck(errno.code(), errmsg, null);
    }

    @Override
    public MsgType type() {
        return MsgType.CONVERSATIONS_ACK;
    }
}
