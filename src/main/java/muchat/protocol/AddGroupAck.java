package muchat.protocol;

/**
 * The native reply to ADD_GROUP (msgid 9). {@code pending} true: the group is closed and
 * the request waits for its creator; absent: the sender is a member.
 */
public record AddGroupAck(int errno, String errmsg, Boolean pending) implements Message {

    public static AddGroupAck ok() {
        return new AddGroupAck(Errno.OK.code(), null, null);
    }

    public static AddGroupAck pendingApproval() {
        return new AddGroupAck(Errno.OK.code(), null, true);
    }

    public static AddGroupAck error(Errno errno, String errmsg) {
        return new AddGroupAck(errno.code(), errmsg, null);
    }

    @Override
    public MsgType type() {
        return MsgType.ADD_GROUP;
    }
}
