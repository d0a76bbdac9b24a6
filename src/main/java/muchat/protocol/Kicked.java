package muchat.protocol;

/** KICKED (107): the user logged in elsewhere; the server closes this connection next. */
public record Kicked(String errmsg) implements Message {
    @Override
    public MsgType type() {
        return MsgType.KICKED;
    }
}
