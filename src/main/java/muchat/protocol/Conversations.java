package muchat.protocol;

/** CONVERSATIONS (110): the sender's conversations, answered by {@link ConversationsAck}. */
public record Conversations() implements Request {

    @Override
    public MsgType type() {
        return MsgType.CONVERSATIONS;
    }
}
