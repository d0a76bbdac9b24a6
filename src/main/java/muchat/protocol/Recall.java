package muchat.protocol;

/** RECALL (113) as a client sends it: take back message {@code mid}, which the sender sent. */
public record Recall(Long mid) implements Request {

    @Override
    public MsgType type() {
        return MsgType.RECALL;
    }

    @Override
    public void validate() throws ProtocolException {
        Fields.id("mid", mid);
    }
}
