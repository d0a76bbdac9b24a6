package muchat.protocol;

/**
 * The message ids of PROTOCOL.md section 4, with the record each client request is
 * read into. Ids 1-10 are those of the classic muduo ChatServer.
 */
public enum MsgType {
    LOGIN(1, Login.class),
    LOGIN_ACK(2, null),
    LOGINOUT(3, LoginOut.class),
    REG(4, Reg.class),
    REG_ACK(5, null),
    ONE_CHAT(6, OneChat.class),
    ADD_FRIEND(7, AddFriend.class),
    CREATE_GROUP(8, CreateGroup.class),
    ADD_GROUP(9, AddGroup.class),
    GROUP_CHAT(10, GroupChat.class),
    ERROR(100, null),
    HEARTBEAT(101, Heartbeat.class),
    HEARTBEAT_ACK(102, null),
    SEND_ACK(103, null),
    RECV_ACK(104, RecvAck.class),
    SYNC(105, Sync.class),
    SYNC_DONE(106, null),
    KICKED(107, null),
    HISTORY(108, History.class),
    HISTORY_ACK(109, null);

    private static final MsgType[] BY_CODE = new MsgType[110];

    static {
        for (MsgType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final Class<? extends Request> requestClass;

    MsgType(int code, Class<? extends Request> requestClass) {
        this.code = code;
        this.requestClass = requestClass;
    }

    /** The wire code: the TLV type and the JSON {@code msgid}. */
    public int code() {
        return code;
    }

    /** The record a client sends under this id, or null if only the server sends it. */
    public Class<? extends Request> requestClass() {
        return requestClass;
    }

    /** The type with wire code {@code code}, or null if there is none. */
    public static MsgType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
