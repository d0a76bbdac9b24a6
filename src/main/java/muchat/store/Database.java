package muchat.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The database of one server instance: a HikariCP pool, the schema, and the stores built
 * on them. Either the embedded H2 (one instance, nothing to install) or MariaDB/MySQL
 * (a cluster of instances sharing one database).
 *
 * <p>Threads: the stores may be used from any thread; {@link #close} once, last.
 */
public final class Database implements AutoCloseable {
    private static final int POOL_SIZE = 8;
    private static final long CONNECTION_TIMEOUT_MS = 3_000;

    /**
     * H2 settings. WRITE_DELAY=0 writes every commit to the file before COMMIT returns,
     * so a killed process loses nothing acknowledged (H2's default waits up to 500 ms;
     * neither fsyncs, so a power cut may lose the last commits). The message writer
     * commits a whole batch at once, which keeps this cheap. DB_CLOSE_ON_EXIT=FALSE
     * because we close the database ourselves after the writer drained its queue.
     */
    private static final String H2_SETTINGS = ";MODE=MySQL;DATABASE_TO_LOWER=TRUE"
            + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000";

    /**
     * Connector/J settings: rewriteBatchedStatements sends a batch of INSERTs as one
     * multi-row INSERT (and still returns every generated key); client-side prepared
     * statements (useServerPrepStmts=false) need no extra prepare round trip and are
     * cached by cachePrepStmts; the rest saves round trips for session state.
     */
    private static final Map<String, String> MYSQL_SETTINGS = Map.ofEntries(
            Map.entry("rewriteBatchedStatements", "true"),
            Map.entry("useServerPrepStmts", "false"),
            Map.entry("cachePrepStmts", "true"),
            Map.entry("prepStmtCacheSize", "256"),
            Map.entry("prepStmtCacheSqlLimit", "8192"),
            Map.entry("useLocalSessionState", "true"),
            Map.entry("elideSetAutoCommits", "true"),
            Map.entry("cacheServerConfiguration", "true"),
            Map.entry("maintainTimeStats", "false"),
            Map.entry("characterEncoding", "UTF-8"),
            Map.entry("connectTimeout", "3000"),
            Map.entry("socketTimeout", "30000"));

    private final HikariDataSource pool;
    private final UserStore users;
    private final FriendStore friends;
    private final GroupStore groups;
    private final MessageStore messages;

    private Database(HikariConfig config) {
        config.setPoolName("muchat-db");
        config.setMaximumPoolSize(POOL_SIZE);
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        config.setValidationTimeout(CONNECTION_TIMEOUT_MS / 2);
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot connect to the database: " + e.getMessage(), e);
        }
        try {
            Schema.create(pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        users = new UserStore(pool);
        friends = new FriendStore(pool);
        groups = new GroupStore(pool);
        messages = new MessageStore(pool);
    }

    /** The embedded H2 database in the files {@code dataDir/muchat.*}; creates both as needed. */
    public static Database embedded(Path dataDir) throws StoreException {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new StoreException("cannot create " + dataDir + ": " + e.getMessage(), e);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("muchat") + H2_SETTINGS);
        config.setUsername("sa");
        config.setPassword("");
        return new Database(config);
    }

    /**
     * MariaDB or MySQL at {@code jdbcUrl} (for example
     * {@code jdbc:mysql://127.0.0.1:3306/muchat}). The database must exist, or the URL
     * must say {@code createDatabaseIfNotExist=true}.
     */
    public static Database mysql(String jdbcUrl, String user, String password) throws StoreException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        MYSQL_SETTINGS.forEach(config::addDataSourceProperty);
        return new Database(config);
    }

    /** The pool itself, for callers that need plain JDBC (tests, tools). */
    public DataSource dataSource() {
        return pool;
    }

    public UserStore users() {
        return users;
    }

    public FriendStore friends() {
        return friends;
    }

    public GroupStore groups() {
        return groups;
    }

    public MessageStore messages() {
        return messages;
    }

    /** Drains the message writer (committing what was submitted), then closes the pool. */
    @Override
    public void close() {
        messages.close();
        pool.close();
    }
}
