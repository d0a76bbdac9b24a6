package muchat.protocol;

/** HEARTBEAT (101): keeps an idle connection open; answered by {@link HeartbeatAck}. */
public record Heartbeat() implements Request {
    @Override
    public MsgType type() {
        return MsgType.HEARTBEAT;
    }
}
