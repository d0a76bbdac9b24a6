package muchat.service;

/**
 * One login's hold on a user: the user, and an id that no other login of this instance
 * ever gets. A kick names the claim it ends, so a kick that arrives late can never end a
 * newer login of the same user on the same connection or instance.
 *
 * <p>The user is the claim's key: one live session per user. Devices would make the key
 * (user, device), with the same rules per key.
 *
 * <p>Immutable; any thread.
 */
record Claim(long uid, long id) {
}
