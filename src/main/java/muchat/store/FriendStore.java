package muchat.store;

import java.sql.PreparedStatement;
import java.util.List;

/**
 * Mutual friendships. Each is stored in both directions, so listing a user's friends is
 * one index range; the caller checks that both users exist.
 *
 * <p>Threads: any thread.
 */
public final class FriendStore {
    private static final String INSERT = "INSERT IGNORE INTO friends (uid, friend_id) VALUES (?, ?)";

    private final Jdbc jdbc;

    FriendStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Makes the two users friends of each other; adding an existing friendship is a no-op. */
    public void add(long uid, long friendId) throws StoreException {
        jdbc.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                Jdbc.bind(ps, uid, friendId);
                ps.addBatch();
                Jdbc.bind(ps, friendId, uid);
                ps.addBatch();
                return ps.executeBatch();
            }
        });
    }

    /** The friends of {@code uid}, by ascending id. */
    public List<User> friendsOf(long uid) throws StoreException {
        return jdbc.list("SELECT u.id, u.name FROM friends f JOIN users u ON u.id = f.friend_id"
                        + " WHERE f.uid = ? ORDER BY u.id",
                rs -> new User(rs.getLong("id"), rs.getString("name")), uid);
    }
}
