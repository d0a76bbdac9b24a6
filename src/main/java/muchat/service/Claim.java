package muchat.service;

/**
 * One login's hold on one device of a user: the user, the device, and an id that no other
 * login of this instance ever gets. A kick names the claim it ends, so a kick that arrives
 * late can never end a newer login of the same device on the same connection or instance.
 *
 * <p>(user, device) is the claim's key: one live session per device of a user
 * (docs/protocol.md section 2).
 *
 * <p>Immutable; any thread.
 */
record Claim(long uid, String device, long id) {
}
