package muchat.protocol;

/**
 * CREATE_GROUP (8): a new group with the sender as creator; a missing desc is empty, a
 * missing {@code open} is true (anyone may join, as in every group of the classic server).
 */
public record CreateGroup(String groupname, String groupdesc, Boolean open) implements Request {
    public CreateGroup {
        groupdesc = groupdesc == null ? "" : groupdesc;
        open = open == null || open;
    }

    @Override
    public MsgType type() {
        return MsgType.CREATE_GROUP;
    }

    @Override
    public void validate() throws ProtocolException {
        Fields.text("groupname", groupname, 1, Fields.GROUPNAME_MAX);
        Fields.text("groupdesc", groupdesc, 0, Fields.GROUPDESC_MAX);
        Fields.shown("groupname", groupname);
        Fields.shown("groupdesc", groupdesc);
    }
}
