package muchat.protocol;

import java.util.List;

/** LOGIN_ACK (2) on a native connection; {@code acked} is the user's last RECV_ACK seq. */
public record LoginAck(int errno, String errmsg, Long id, String name,
                       List<Friend> friends, List<Group> groups, Long acked) implements Message {

    public static LoginAck ok(long id, String name, List<Friend> friends, List<Group> groups, long acked) {
        return new LoginAck(Errno.OK.code(), null, id, name, friends, groups, acked);
    }

    public static LoginAck error(Errno errno, String errmsg) {
        return new LoginAck(errno.code(), errmsg, null, null, null, null, null);
    }

    @Override
    public MsgType type() {
        return MsgType.LOGIN_ACK;
    }
}
