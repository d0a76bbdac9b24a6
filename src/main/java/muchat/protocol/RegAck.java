package muchat.protocol;

/** REG_ACK (5): the new user's {@code id}, or errno 1 (e.g. name taken). */
public record RegAck(int errno, String errmsg, Long id) implements Message {

    public static RegAck ok(long id) {
        return new RegAck(Errno.OK.code(), null, id);
    }

    public static RegAck error(Errno errno, String errmsg) {
        return new RegAck(errno.code(), errmsg, null);
    }

    @Override
    public MsgType type() {
        return MsgType.REG_ACK;
    }
}
