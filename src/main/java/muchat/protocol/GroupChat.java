package muchat.protocol;

/** GROUP_CHAT (10) as a client sends it; the other members get a {@link ChatMessage}. */
public record GroupChat(Long groupid, String msg, String cmid) implements Request {
    @Override
    public MsgType type() {
        return MsgType.GROUP_CHAT;
    }

    @Override
    public void validate() throws ProtocolException {
        Fields.id("groupid", groupid);
        Fields.text("msg", msg, 1, Fields.MSG_MAX);
        Fields.optionalText("cmid", cmid, 1, Fields.CMID_MAX);
    }
}
