package muchat.protocol;

/** GROUP_REQUESTS (118): the requests waiting to join {@code groupid}, which the sender created. */
public record GroupRequests(Long groupid) implements Request {
    @Override
    public MsgType type() {
        return MsgType.GROUP_REQUESTS;
    }

    @Override
    public void validate() throws ProtocolException {
        Fields.id("groupid", groupid);
    }
}
