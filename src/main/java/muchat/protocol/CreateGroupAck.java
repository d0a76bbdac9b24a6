package muchat.protocol;

/** The native reply to CREATE_GROUP (msgid 8): the new {@code groupid}. */
public record CreateGroupAck(int errno, String errmsg, Long groupid) implements Message {

    public static CreateGroupAck ok(long groupid) {
        return new CreateGroupAck(Errno.OK.code(), null, groupid);
    }

    public static CreateGroupAck error(Errno errno, String errmsg) {
        return new CreateGroupAck(errno.code(), errmsg, null);
    }

    @Override
    public MsgType type() {
        return MsgType.CREATE_GROUP;
    }
}
