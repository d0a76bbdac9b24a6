package muchat.protocol;

import java.util.List;

/** The reply to GROUP_REQUESTS (msgid 118): who waits to join, by ascending id. */
public record GroupRequestsAck(int errno, String errmsg, List<Requester> requests) implements Message {

    /** One user waiting for the creator's decision. */
    public record Requester(long id, String name) {
    }

    public static GroupRequestsAck ok(List<Requester> requests) {
        return new GroupRequestsAck(Errno.OK.code(), null, requests);
    }

    public static GroupRequestsAck error(Errno errno, String errmsg) {
        return new GroupRequestsAck(errno.code(), errmsg, null);
    }

    @Override
    public MsgType type() {
        return MsgType.GROUP_REQUESTS;
    }
}
