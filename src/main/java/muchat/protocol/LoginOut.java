package muchat.protocol;

/** LOGINOUT (3): unbinds the connection from its user; no reply. */
public record LoginOut() implements Request {
    @Override
    public MsgType type() {
        return MsgType.LOGINOUT;
    }
}
