package muchat.store;

/** A registered account, without its password. */
public record User(long id, String name) {
}
