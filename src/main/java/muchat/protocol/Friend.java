package muchat.protocol;

/** One element of LOGIN_ACK's {@code friends}. */
public record Friend(long id, String name, Presence state) {
}
