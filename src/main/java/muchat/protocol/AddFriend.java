package muchat.protocol;

/** ADD_FRIEND (7): makes the sender and {@code friendid} friends, both ways. */
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
