package muchat.protocol;

/** ADD_FRIEND (7): asks {@code friendid} to be friends, or accepts their request (docs/protocol.md section 3). */
public record AddFriend(Long friendid) implements Request {
    @Override
    public MsgType type() {
        return MsgType.ADD_FRIEND;
    }

    @Override
    public void validate() throws ProtocolException {
        Fields.id("friendid", friendid);
    }
}
