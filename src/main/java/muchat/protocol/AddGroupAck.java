package muchat.protocol;

/** The native reply to ADD_GROUP (msgid 9). */
public record AddGroupAck(int errno, String errmsg) implements Message {

    public static AddGroupAck ok() {
        return new AddGroupAck(Errno.OK.code(), null);
    }

    public static AddGroupAck error(Errno errno, String errmsg) {
        return new AddGroupAck(errno.code(), errmsg);
    }

    @Override
    public MsgType type() {
        return MsgType.ADD_GROUP;
    }
}
