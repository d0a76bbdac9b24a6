package muchat.protocol;

/**
 * GROUP_DECIDE (119): the creator of {@code groupid} lets {@code userid} in ({@code accept}
 * true) or turns their request down.
 */
public record GroupDecide(Long groupid, Long userid, Boolean accept) implements Request {
    @Override
    public MsgType type() {
        return MsgType.GROUP_DECIDE;
    }

    @Override
    public void validate() throws ProtocolException {
        Fields.id("groupid", groupid);
        Fields.id("userid", userid);
        if (accept == null) {
            throw new ProtocolException(Errno.INVALID_FIELD, "accept is missing");
        }
    }
}
