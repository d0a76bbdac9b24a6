package muchat.protocol;

/** The native reply to ADD_FRIEND (msgid 7). */
public record AddFriendAck(int errno, String errmsg) implements Message {

    public static AddFriendAck ok() {
        return new AddFriendAck(Errno.OK.code(), null);
    }

    public static AddFriendAck error(Errno errno, String errmsg) {
        return new AddFriendAck(errno.code(), errmsg);
    }

    @Override
    public MsgType type() {
        return MsgType.ADD_FRIEND;
    }
}
