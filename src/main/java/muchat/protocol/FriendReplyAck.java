package muchat.protocol;

/** The reply to a client's FRIEND_REPLY (msgid 117): it has {@code errno}, where the event has {@code seq}. */
public record FriendReplyAck(int errno, String errmsg) implements Message {

    public static FriendReplyAck ok() {
        return new FriendReplyAck(Errno.OK.code(), null);
    }

    public static FriendReplyAck error(Errno errno, String errmsg) {
        return new FriendReplyAck(errno.code(), errmsg);
    }

    @Override
    public MsgType type() {
        return MsgType.FRIEND_REPLY;
    }
}
