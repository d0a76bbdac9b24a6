package muchat.protocol;

/** TYPING (114) as the server forwards it: user {@code id} is writing to the recipient. */
public record TypingNotice(long id) implements Message {
    @Override
    public MsgType type() {
        return MsgType.TYPING;
    }
}
