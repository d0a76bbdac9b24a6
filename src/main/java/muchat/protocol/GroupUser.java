package muchat.protocol;

/** One member in a group's {@code users}. */
public record GroupUser(long id, String name, Presence state, Role role) {
}
