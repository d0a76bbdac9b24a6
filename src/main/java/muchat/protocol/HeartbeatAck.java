package muchat.protocol;

/** HEARTBEAT_ACK (102): the server's clock, epoch milliseconds. */
public record HeartbeatAck(long ts) implements Message {
    @Override
    public MsgType type() {
        return MsgType.HEARTBEAT_ACK;
    }
}
