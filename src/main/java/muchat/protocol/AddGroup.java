package muchat.protocol;

/** ADD_GROUP (9): the sender joins {@code groupid} as a normal member. */
public record AddGroup(Long groupid) implements Request {
    @Override
    public MsgType type() {
        return MsgType.ADD_GROUP;
    }

    @Override
    public void validate() throws ProtocolException {
        Fields.id("groupid", groupid);
    }
}
