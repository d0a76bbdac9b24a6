package muchat.protocol;

/** RECV_ACK (104): every inbox message up to {@code seq} has arrived. */
public record RecvAck(Long seq) implements Request {
    @Override
    public MsgType type() {
        return MsgType.RECV_ACK;
    }

    @Override
    public void validate() throws ProtocolException {
        Fields.count("seq", seq);
    }
}
