/**
 * Redis presence and pub/sub routing between muchat instances.
 *
 * <p>Data in Redis:
 * <ul>
 * <li>{@code muchat:user:<uid>}, a hash with a field per device of the user logged in
 *     anywhere: the claim of the login serving that device, {@code <deadline> <claim
 *     id>@<instance id>}. The instance refreshes its devices every TTL/3 (15 s TTL) in
 *     pipelined batches, moving the deadline and the key's own TTL. The last claim of a
 *     device wins and kicks the claim it replaced by id, so of simultaneous logins on one
 *     device exactly one survives; a claim is refused while the user has the maximum of
 *     other devices with live deadlines. An instance that dies stops refreshing, and its
 *     devices lapse by themselves; one that stops cleanly deletes its fields at once. A
 *     claim also tells every other instance holding a device of the user (a SHARED
 *     message): until then an instance that holds all of a user's devices pushes to
 *     them without Redis.
 * <li>{@code muchat:inst:<id>}, one pub/sub channel per instance, carrying
 *     {@link muchat.cluster.ClusterMessage}s: pushes of stored messages, signals that are
 *     not stored (PRESENCE, TYPING), kicks, and notices that a user has devices on
 *     several instances.
 * </ul>
 *
 * <p>Why one channel per instance and not one per user: a push is then one Lua script
 * (look up the instances of the user's devices, PUBLISH to each one's channel; many are sent as one pipeline,
 * see {@code muchat.service.ClusterPublisher}), and each instance subscribes
 * to exactly one channel for its whole life. With a channel per user every login and
 * logout would be a SUBSCRIBE or UNSUBSCRIBE on the subscriber connection, Redis would
 * keep a subscription per online user, and a Redis restart would mean resubscribing
 * every local user before pushes flow again; a login storm would become a subscribe
 * storm. The cost of per-instance channels is the presence lookup inside the script,
 * which is one hash lookup in Redis.
 *
 * <p>Delivery never depends on this package: every message is in the database before
 * it is pushed, so a lost push (Redis down, an instance died) is filled from the
 * database by the session; after an outage each instance is told to resync.
 */
package muchat.cluster;
