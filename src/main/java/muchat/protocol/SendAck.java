package muchat.protocol;

/**
 * SEND_ACK (103): the chat with {@code cmid} is stored as message {@code mid}; {@code seq}
 * is the number of its copy in the sender's own inbox, which this connection is not
 * pushed (absent for a repeated cmid), see docs/protocol.md section 2.
 */
public record SendAck(String cmid, long mid, long ts, String time, Long seq) implements Message {

    /** Without {@code seq}: a repeated cmid, or a server that does not number the sender's copy. */
    public SendAck(String cmid, long mid, long ts, String time) {
        this(cmid, mid, ts, time, null);
    }

    public static SendAck of(String cmid, long mid, long ts) {
        return of(cmid, mid, ts, null);
    }

    public static SendAck of(String cmid, long mid, long ts, Long seq) {
        return new SendAck(cmid, mid, ts, Json.localTime(ts), seq);
    }

    @Override
    public MsgType type() {
        return MsgType.SEND_ACK;
    }
}
