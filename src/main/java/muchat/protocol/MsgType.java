package muchat.protocol;

import static muchat.protocol.BodyFields.bool;
import static muchat.protocol.BodyFields.integer;
import static muchat.protocol.BodyFields.smallInteger;
import static muchat.protocol.BodyFields.text;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The message ids of docs/protocol.md section 3, with how each client request is read into
 * its record. Ids 1-10 are those of the classic muduo ChatServer.
 */
public enum MsgType {
    LOGIN(1, b -> new Login(integer(b, "id"), text(b, "name"), text(b, "password"), text(b, "device"))),
    LOGIN_ACK(2, null),
    LOGINOUT(3, b -> new LoginOut()),
    REG(4, b -> new Reg(text(b, "name"), text(b, "password"))),
    REG_ACK(5, null),
    ONE_CHAT(6, b -> new OneChat(integer(b, "toid"), text(b, "msg"), text(b, "cmid"))),
    ADD_FRIEND(7, b -> new AddFriend(integer(b, "friendid"))),
    CREATE_GROUP(8, b -> new CreateGroup(text(b, "groupname"), text(b, "groupdesc"), bool(b, "open"))),
    ADD_GROUP(9, b -> new AddGroup(integer(b, "groupid"))),
    GROUP_CHAT(10, b -> new GroupChat(integer(b, "groupid"), text(b, "msg"), text(b, "cmid"))),
    ERROR(100, null),
    HEARTBEAT(101, b -> new Heartbeat()),
    HEARTBEAT_ACK(102, null),
    SEND_ACK(103, null),
    RECV_ACK(104, b -> new RecvAck(integer(b, "seq"))),
    SYNC(105, b -> new Sync(integer(b, "after"))),
    SYNC_DONE(106, null),
    KICKED(107, null),
    HISTORY(108, b -> new History(integer(b, "peer"), integer(b, "groupid"), integer(b, "before"),
            smallInteger(b, "limit"))),
    HISTORY_ACK(109, null),
    CONVERSATIONS(110, b -> new Conversations()),
    CONVERSATIONS_ACK(111, null),
    READ(112, b -> new Read(integer(b, "peer"), integer(b, "groupid"), integer(b, "mid"))),
    RECALL(113, b -> new Recall(integer(b, "mid"))),
    TYPING(114, b -> new Typing(integer(b, "toid"))),
    PRESENCE(115, null),
    FRIEND_REQUEST(116, null),
    FRIEND_REPLY(117, b -> new FriendReply(integer(b, "friendid"), bool(b, "accept"))),
    GROUP_REQUESTS(118, b -> new GroupRequests(integer(b, "groupid"))),
    GROUP_DECIDE(119, b -> new GroupDecide(integer(b, "groupid"), integer(b, "userid"), bool(b, "accept")));

    private static final MsgType[] BY_CODE = byCode();

    private static MsgType[] byCode() {
        int highest = 0;
        for (MsgType t : values()) {
            highest = Math.max(highest, t.code);
        }
        MsgType[] byCode = new MsgType[highest + 1];
        for (MsgType t : values()) {
            byCode[t.code] = t;
        }
        return byCode;
    }

    private final int code;
    /** Reads a request of this type from its parsed body; null for what only the server sends. */
    private final Reader reader;

    /** Builds the request record from the fields of its body (see {@link BodyFields}). */
    @FunctionalInterface
    interface Reader {
        Request read(ObjectNode body) throws ProtocolException;
    }

    MsgType(int code, Reader reader) {
        this.code = code;
        this.reader = reader;
    }

    /** The wire code: the TLV type and the JSON {@code msgid}. */
    public int code() {
        return code;
    }

    /** True if clients send this type (it has a request record). */
    public boolean isRequest() {
        return reader != null;
    }

    /** Reads the request record of this type from {@code body}; see {@link #isRequest}. */
    Request read(ObjectNode body) throws ProtocolException {
        return reader.read(body);
    }

    /** The type with wire code {@code code}, or null if there is none. */
    public static MsgType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
