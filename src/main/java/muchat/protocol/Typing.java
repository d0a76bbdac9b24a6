package muchat.protocol;

/** TYPING (114) from a client: the sender is writing to {@code toid}. Never stored. */
public record Typing(Long toid) implements Request {
    @Override
    public MsgType type() {
        return MsgType.TYPING;
    }

    @Override
    public void validate() throws ProtocolException {
        Fields.id("toid", toid);
    }
}
