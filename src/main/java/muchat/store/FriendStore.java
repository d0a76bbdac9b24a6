package muchat.store;

import java.sql.PreparedStatement;
import java.util.List;
import java.util.OptionalLong;

/**
 * Mutual friendships, and the requests that lead to them. Each friendship is stored in
 * both directions, so listing a user's friends is one index range; the caller checks
 * that both users exist.
 *
 * <p>A friend request is not a row of its own: it is its inbox event, a message of kind
 * {@link #REQUEST} from the requester to the other user, and the answer is one of kind
 * {@link #REPLY} back. The request is waiting while it is the latest of these events
 * between the two. So making a request and telling its recipient are one write, and a
 * request can never exist that its recipient was not told of.
 *
 * <p>Threads: any thread.
 */
public final class FriendStore {
    /** The kind of a friend request's message (its msgid, FRIEND_REQUEST). */
    public static final int REQUEST = 116;
    /** The kind of the answer to a friend request (its msgid, FRIEND_REPLY); body {@link #ACCEPT} or {@link #REJECT}. */
    public static final int REPLY = 117;
    public static final String ACCEPT = "accept";
    public static final String REJECT = "reject";
    /**
     * The latest friend event from one user to the other: walks their one-to-one
     * messages backwards in that index, which stops at the first event. Each direction
     * is a derived table, as in the history query, for SQLite's UNION.
     */
    private static final String LAST_EVENT_ONE_WAY = "SELECT * FROM (SELECT mid, sender, kind FROM messages"
            + " WHERE sender = ? AND to_user = ? AND kind IN (" + REQUEST + ", " + REPLY + ")"
            + " ORDER BY mid DESC LIMIT 1)";
    private static final String LAST_EVENT = LAST_EVENT_ONE_WAY + " AS one_way UNION " + LAST_EVENT_ONE_WAY
            + " AS other_way ORDER BY mid DESC LIMIT 1";

    private final Jdbc jdbc;
    private final String insert;

    FriendStore(Jdbc jdbc) {
        this.jdbc = jdbc;
        this.insert = jdbc.dialect().insertIgnore() + " INTO friends (uid, friend_id) VALUES (?, ?)";
    }

    /** Makes the two users friends of each other; adding an existing friendship is a no-op. */
    public void add(long uid, long friendId) throws StoreException {
        jdbc.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(insert)) {
                Jdbc.bind(ps, uid, friendId);
                ps.addBatch();
                Jdbc.bind(ps, friendId, uid);
                ps.addBatch();
                return ps.executeBatch();
            }
        });
    }

    public boolean areFriends(long uid, long other) throws StoreException {
        return jdbc.first("SELECT 1 FROM friends WHERE uid = ? AND friend_id = ?", rs -> true, uid, other)
                .isPresent();
    }

    /** Who asked to be friends with the other of {@code a} and {@code b} and is still waiting, if one of them is. */
    public OptionalLong waitingRequester(long a, long b) throws StoreException {
        return jdbc.first(LAST_EVENT, rs -> rs.getInt("kind") == REQUEST ? rs.getLong("sender") : 0L, a, b, b, a)
                .filter(uid -> uid != 0).map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    /** The friends of {@code uid}, by ascending id. */
    public List<User> friendsOf(long uid) throws StoreException {
        return jdbc.list("SELECT u.id, u.name FROM friends f JOIN users u ON u.id = f.friend_id"
                        + " WHERE f.uid = ? ORDER BY u.id",
                rs -> new User(rs.getLong("id"), rs.getString("name")), uid);
    }
}
