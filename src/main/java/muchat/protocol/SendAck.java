package muchat.protocol;

/** SEND_ACK (103): the chat with {@code cmid} is stored as message {@code mid}. */
public record SendAck(String cmid, long mid, long ts, String time) implements Message {

    public static SendAck of(String cmid, long mid, long ts) {
        return new SendAck(cmid, mid, ts, Json.localTime(ts));
    }

    @Override
    public MsgType type() {
        return MsgType.SEND_ACK;
    }
}
