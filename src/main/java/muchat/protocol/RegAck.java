package muchat.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * REG_ACK (5): the new user's {@code id}, or errno 1 (e.g. name taken), or errno 17 with
 * {@code retryAfter} (ms).
 */
public record RegAck(int errno, String errmsg, Long id,
                     @JsonProperty("retry_after") Long retryAfter) implements Message {

    public static RegAck ok(long id) {
        return new RegAck(Errno.OK.code(), null, id, null);
    }

    public static RegAck error(Errno errno, String errmsg) {
        return new RegAck(errno.code(), errmsg, null, null);
    }

    /** Errno 17: this address registered too many accounts lately; try again in {@code retryAfterMillis}. */
    public static RegAck throttled(long retryAfterMillis) {
        return new RegAck(Errno.RATE_LIMITED.code(), "too many registrations from your address, try again in "
                + Errno.seconds(retryAfterMillis) + " s", null, retryAfterMillis);
    }

    @Override
    public MsgType type() {
        return MsgType.REG_ACK;
    }
}
