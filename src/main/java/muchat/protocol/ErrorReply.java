package muchat.protocol;

/**
 * ERROR (100) for a request that has no reply of its own. {@code ref} is the request's
 * msgid when known, {@code cmid} the request's when it had one.
 */
public record ErrorReply(int errno, String errmsg, Integer ref, String cmid) implements Message {

    /**
     * The error answer to a request of type {@code request} (null if unknown), in the
     * shape docs/protocol.md section 4 asks: the request's own reply msgid where it has one
     * (LOGIN_ACK, REG_ACK, 7, 8, 9, HISTORY_ACK, 111, 117, 118, 119), else ERROR.
     */
    public static Message forRequest(MsgType request, Errno errno, String errmsg, String cmid) {
        if (request == null) {
            return new ErrorReply(errno.code(), errmsg, null, cmid);
        }
        return switch (request) {
            case LOGIN -> LoginAck.error(errno, errmsg);
            case REG -> RegAck.error(errno, errmsg);
            case ADD_FRIEND -> AddFriendAck.error(errno, errmsg);
            case CREATE_GROUP -> CreateGroupAck.error(errno, errmsg);
            case ADD_GROUP -> AddGroupAck.error(errno, errmsg);
            case HISTORY -> HistoryAck.error(errno, errmsg);
            case CONVERSATIONS -> ConversationsAck.error(errno, errmsg);
            case FRIEND_REPLY -> FriendReplyAck.error(errno, errmsg);
            case GROUP_REQUESTS -> GroupRequestsAck.error(errno, errmsg);
            case GROUP_DECIDE -> GroupDecideAck.error(errno, errmsg);
            default -> new ErrorReply(errno.code(), errmsg, request.code(), cmid);
        };
    }

    @Override
    public MsgType type() {
        return MsgType.ERROR;
    }
}
