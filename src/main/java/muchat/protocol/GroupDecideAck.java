package muchat.protocol;

/** The reply to GROUP_DECIDE (msgid 119). */
public record GroupDecideAck(int errno, String errmsg) implements Message {

    public static GroupDecideAck ok() {
        return new GroupDecideAck(Errno.OK.code(), null);
    }

    public static GroupDecideAck error(Errno errno, String errmsg) {
        return new GroupDecideAck(errno.code(), errmsg);
    }

    @Override
    public MsgType type() {
        return MsgType.GROUP_DECIDE;
    }
}
