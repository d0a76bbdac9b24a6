package muchat.protocol;

/**
 * HISTORY (108): the conversation with user {@code peer} or in group {@code groupid}
 * (exactly one of them), newest first, older than message {@code before} if given.
 * A missing {@code limit} is {@link Fields#LIMIT_DEFAULT}.
 */
public record History(Long peer, Long groupid, Long before, Integer limit) implements Request {
    public History {
        limit = limit == null ? Fields.LIMIT_DEFAULT : limit;
    }

    @Override
    public MsgType type() {
        return MsgType.HISTORY;
    }

    @Override
    public void validate() throws ProtocolException {
        if ((peer == null) == (groupid == null)) {
            throw new ProtocolException(Errno.INVALID_FIELD, "give either peer or groupid");
        }
        Fields.id(peer != null ? "peer" : "groupid", peer != null ? peer : groupid);
        if (before != null) {
            Fields.id("before", before);
        }
        Fields.range("limit", limit, 1, Fields.LIMIT_MAX);
    }
}
