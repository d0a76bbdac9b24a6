package muchat.store;

/** One member of a group, as listed in LOGIN_ACK. */
public record Member(long id, String name, Role role) {
}
