package muchat.protocol;

/** FRIEND_REPLY (117) from a client: its answer to the friend request of {@code friendid}. */
public record FriendReply(Long friendid, Boolean accept) implements Request {
    @Override
    public MsgType type() {
        return MsgType.FRIEND_REPLY;
    }

    @Override
    public void validate() throws ProtocolException {
        Fields.id("friendid", friendid);
        if (accept == null) {
            throw new ProtocolException(Errno.INVALID_FIELD, "accept is missing");
        }
    }
}
