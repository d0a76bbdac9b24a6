package muchat.protocol;

/**
 * The native reply to ADD_FRIEND (msgid 7). {@code pending} true: a friend request waits
 * for the other user (docs/protocol.md section 3); absent: the two are friends.
 */
public record AddFriendAck(int errno, String errmsg, Boolean pending) implements Message {

    public static AddFriendAck ok() {
        return new AddFriendAck(Errno.OK.code(), null, null);
    }

    public static AddFriendAck requested() {
        return new AddFriendAck(Errno.OK.code(), null, true);
    }

    public static AddFriendAck error(Errno errno, String errmsg) {
        return new AddFriendAck(errno.code(), errmsg, null);
    }

    @Override
    public MsgType type() {
        return MsgType.ADD_FRIEND;
    }
}
