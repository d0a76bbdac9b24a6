package muchat.protocol;

/** PRESENCE (115): the recipient's friend {@code id} came online or went offline. */
public record PresenceNotice(long id, Presence state) implements Message {
    @Override
    public MsgType type() {
        return MsgType.PRESENCE;
    }
}
