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

    /** The friends of {@code uid}, by ascending id. */
    public List<User> friendsOf(long uid) throws StoreException {
        return jdbc.list("SELECT u.id, u.name FROM friends f JOIN users u ON u.id = f.friend_id"
                        + " WHERE f.uid = ? ORDER BY u.id",
                rs -> new User(rs.getLong("id"), rs.getString("name")), uid);
    }
}
