package muchat.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Accounts: registration, password checks, lookups. Passwords are kept only as salted
 * PBKDF2 hashes (see {@link Passwords}); hashing runs on the caller's thread.
 *
 * <p>Threads: any thread.
 */
public final class UserStore {
    private static final String INSERT_USER = "INSERT INTO users (name, password) VALUES (?, ?)";
    private static final String INSERT_CURSOR = "INSERT INTO inbox_cursor (uid, last_seq) VALUES (?, 0)";
    private static final String INSERT_ACK = "INSERT INTO inbox_ack (uid, acked) VALUES (?, 0)";

    private final Jdbc jdbc;

    UserStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Creates an account and its empty inbox.
     *
     * @return the new id, or empty if the name is taken
     */
    public OptionalLong register(String name, String password) throws StoreException {
        String hash = Passwords.hash(password);
        try {
            return OptionalLong.of(jdbc.inTransactionOrThrow(c -> insert(c, name, hash)));
        } catch (SQLException e) {
            if (Jdbc.isDuplicateKey(e)) {
                return OptionalLong.empty();
            }
            throw Jdbc.failed(e);
        }
    }

    /** @return the user, or empty if there is no such id or the password is wrong */
    public Optional<User> authenticate(long id, String password) throws StoreException {
        return check(jdbc.first("SELECT id, name, password FROM users WHERE id = ?",
                Credentials::read, id), password);
    }

    /** @return the user, or empty if there is no such name or the password is wrong */
    public Optional<User> authenticateByName(String name, String password) throws StoreException {
        return check(jdbc.first("SELECT id, name, password FROM users WHERE name = ?",
                Credentials::read, name), password);
    }

    public Optional<User> find(long id) throws StoreException {
        return jdbc.first("SELECT id, name FROM users WHERE id = ?",
                rs -> new User(rs.getLong("id"), rs.getString("name")), id);
    }

    private static long insert(Connection c, String name, String hash) throws SQLException {
        long id;
        try (PreparedStatement ps = c.prepareStatement(INSERT_USER, Statement.RETURN_GENERATED_KEYS)) {
            Jdbc.bind(ps, name, hash);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
        }
        for (String sql : new String[] {INSERT_CURSOR, INSERT_ACK}) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Jdbc.bind(ps, id);
                ps.executeUpdate();
            }
        }
        return id;
    }

    private static Optional<User> check(Optional<Credentials> row, String password) {
        return row.filter(r -> Passwords.matches(password, r.hash())).map(Credentials::user);
    }

    private record Credentials(User user, String hash) {
        static Credentials read(ResultSet rs) throws SQLException {
            return new Credentials(new User(rs.getLong("id"), rs.getString("name")),
                    rs.getString("password"));
        }
    }
}
