package muchat.protocol;

/** ONE_CHAT (6) as a client sends it; the recipient gets a {@link ChatMessage}. */
public record OneChat(Long toid, String msg, String cmid) implements Request {
    @Override
    public MsgType type() {
        return MsgType.ONE_CHAT;
    }

    @Override
    public void validate() throws ProtocolException {
        Fields.id("toid", toid);
        Fields.text("msg", msg, 1, Fields.MSG_MAX);
        Fields.optionalText("cmid", cmid, 1, Fields.CMID_MAX);
    }
}
