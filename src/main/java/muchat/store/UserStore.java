package muchat.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts: registration, password checks, lookups. Passwords are kept only as salted
 * hashes (see {@link Passwords}); a hash of an earlier kind is replaced by a current one
 * when its user next logs in, the only moment the password is known. Hashing runs on the
 * caller's thread and is slow on purpose (see {@link Passwords}).
 *
 * <p>Threads: any thread but an IO loop.
 */
public final class UserStore {
    private static final String INSERT_USER = "INSERT INTO users (name, password) VALUES (?, ?)";
    private static final String INSERT_CURSOR = "INSERT INTO inbox_cursor (uid, last_seq) VALUES (?, 0)";
    private static final String INSERT_ACK = "INSERT INTO inbox_ack (uid, acked) VALUES (?, 0)";

    private static final Logger log = LoggerFactory.getLogger(UserStore.class);

    private final Jdbc jdbc;
    private final Passwords passwords;

    UserStore(Jdbc jdbc, Passwords passwords) {
        this.jdbc = jdbc;
        this.passwords = passwords;
    }

    /**
     * Creates an account and its empty inbox.
     *
     * @return the new id, or empty if the name is taken
     */
    public OptionalLong register(String name, String password) throws StoreException {
        String hash = passwords.hash(password);
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

    /** @return the id of the user called {@code name}, or empty if there is none */
    public OptionalLong idOf(String name) throws StoreException {
        return jdbc.first("SELECT id FROM users WHERE name = ?", rs -> rs.getLong("id"), name)
                .map(OptionalLong::of).orElse(OptionalLong.empty());
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

    private Optional<User> check(Optional<Credentials> row, String password) {
        if (row.isEmpty() || !passwords.matches(password, row.get().hash())) {
            return Optional.empty();
        }
        if (!passwords.isCurrent(row.get().hash())) {
            rehash(row.get(), password);
        }
        return Optional.of(row.get().user());
    }

    /** Replaces an outdated hash, unless the password changed meanwhile. */
    private void rehash(Credentials row, String password) {
        int changed = jdbc.update("UPDATE users SET password = ? WHERE id = ? AND password = ?",
                passwords.hash(password), row.user().id(), row.hash());
        if (changed == 1) {
            log.info("password hash of user={} upgraded from {}", row.user().id(), Passwords.scheme(row.hash()));
        }
    }

    private record Credentials(User user, String hash) {
        static Credentials read(ResultSet rs) throws SQLException {
            return new Credentials(new User(rs.getLong("id"), rs.getString("name")),
                    rs.getString("password"));
        }
    }
}
