package muchat.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * LOGIN_ACK (2) on a native connection; {@code acked} is the device's last RECV_ACK seq,
 * {@code unread} the messages of others they have not read (absent if not counted). An
 * error LOGIN_ACK is the same on legacy connections; {@code retryAfter} (ms) comes with
 * errno 17.
 */
public record LoginAck(int errno, String errmsg, Long id, String name,
                       List<Friend> friends, List<Group> groups, Long acked, Long unread,
                       @JsonProperty("retry_after") Long retryAfter) implements Message {

    public static LoginAck ok(long id, String name, List<Friend> friends, List<Group> groups, long acked) {
        return new LoginAck(Errno.OK.code(), null, id, name, friends, groups, acked, null, null);
    }

    public static LoginAck error(Errno errno, String errmsg) {
        return new LoginAck(errno.code(), errmsg, null, null, null, null, null, null, null);
    }

    /** The same answer telling the user's unread messages over all conversations. */
    public LoginAck withUnread(long unread) {
        return new LoginAck(errno, errmsg, id, name, friends, groups, acked, unread, retryAfter);
    }

    /** Errno 17: too many failed logins; try again in {@code retryAfterMillis}. */
    public static LoginAck throttled(long retryAfterMillis) {
        return new LoginAck(Errno.RATE_LIMITED.code(),
                "too many failed logins, try again in " + Errno.seconds(retryAfterMillis) + " s",
                null, null, null, null, null, null, retryAfterMillis);
    }

    @Override
    public MsgType type() {
        return MsgType.LOGIN_ACK;
    }
}
