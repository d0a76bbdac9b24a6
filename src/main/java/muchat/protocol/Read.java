package muchat.protocol;

/**
 * READ (112) as a client sends it: the sender has read the conversation with user
 * {@code peer}, or in group {@code groupid} (exactly one of them), up to message {@code mid}.
 */
public record Read(Long peer, Long groupid, Long mid) implements Request {

    @Override
    public MsgType type() {
        return MsgType.READ;
    }

    @Override
    public void validate() throws ProtocolException {
        if ((peer == null) == (groupid == null)) {
            throw new ProtocolException(Errno.INVALID_FIELD, "give either peer or groupid");
        }
        Fields.id(peer != null ? "peer" : "groupid", peer != null ? peer : groupid);
        Fields.id("mid", mid);
    }
}
