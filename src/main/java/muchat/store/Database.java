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
    /** The writer lanes plus the reads of the logic threads (logins, history, replays). */
    private static final int POOL_SIZE = 16;
    private static final long CONNECTION_TIMEOUT_MS = 3_000;

    /**
     * H2 settings: MySQL mode for chat.sql, lower-case names as MariaDB has them, and a
     * lock timeout long enough for a writer waiting on the message writer's cursor locks.
     * DB_CLOSE_ON_EXIT=FALSE because we close the database ourselves, after the message
     * writer drained its queue. A 128 MiB page cache (CACHE_SIZE, in KiB) holds the index
     * pages that 1,000 busy users touch, which with the default cache were read back
     * from the file on every batch, and a larger statement cache keeps the writer's
     * statements parsed. TRACE_LEVEL_FILE=0: H2 would copy every failed statement's error
     * into a muchat.trace.db beside the database, and an error about a value quotes the
     * value, a message's text; every error reaches the server as an exception anyway.
     * Durability: see {@link #H2_AFTER_COMMIT}.
     */
    private static final String H2_SETTINGS = ";MODE=MySQL;DATABASE_TO_LOWER=TRUE"
            + ";DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000;QUERY_CACHE_SIZE=64;CACHE_SIZE=131072"
            + ";TRACE_LEVEL_FILE=0";

    /**
     * H2 writes a commit to its file up to 500 ms later (WRITE_DELAY), and even then only
     * to the operating system's cache, so a killed process or a power cut would lose
     * acknowledged messages. WRITE_DELAY=0 writes on every row change, which costs several
     * times more per message, and still does not fsync. CHECKPOINT SYNC after the write
     * transactions writes what they committed and then fsyncs the file: the
     * {@link Checkpointer} runs one for all the group commits that finished meanwhile, so
     * it costs one fsync per group commit or fewer, not one per message.
     */
    private static final String H2_AFTER_COMMIT = "CHECKPOINT SYNC";

    /** H2 writes from one thread at a time anyway: one group-commit lane. */
    private static final int EMBEDDED_WRITER_LANES = 1;
    /**
     * A database server runs each connection's statements on one thread of its own, so
     * one lane is bound by one MariaDB thread and a second keeps another core busy. With
     * the three-round-trip batch (see {@link BatchWriter}): 1 lane delivered 20,800
     * msgs/s closed, 2 lanes 29,700; 3 lanes did no better at 10,000 msgs/s open (p50 24,
     * p99 89 ms against 13-19 and 39-87 with 2). Fewer lanes make fewer, larger commits, and MariaDB
     * spends much of its CPU per commit: at 10,000 msgs/s open the whole machine used
     * 156 µs of CPU per message with 1 lane and 185 with 2, at about the same latency.
     * Each lane keeps one pooled connection, well under the pool size.
     */
    private static final int SERVER_WRITER_LANES = 2;

    /**
     * Connector/J settings: rewriteBatchedStatements sends a batch of INSERTs as one
     * multi-row INSERT (and still returns every generated key); allowMultiQueries lets
     * the group commit send several statements in one round trip (see {@link Jdbc#run});
     * client-side prepared statements (useServerPrepStmts=false) need no extra prepare
     * round trip and are cached by cachePrepStmts; the rest saves round trips for
     * session state. (Server-side prepared statements were tried: in one run at 10,000
     * msgs/s MariaDB parsed less, 51 against 64 µs of its CPU per message, but the server
     * spent 108 against 81 µs preparing the batches' many statement shapes.)
     */
    private static final Map<String, String> MYSQL_SETTINGS = Map.ofEntries(
            Map.entry("rewriteBatchedStatements", "true"),
            Map.entry("allowMultiQueries", "true"),
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

    private final Jdbc jdbc;

    private Database(HikariConfig config, String afterCommit, boolean multiStatements, int writerLanes) {
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
        jdbc = new Jdbc(pool, afterCommit, multiStatements);
        users = new UserStore(jdbc);
        friends = new FriendStore(jdbc);
        groups = new GroupStore(jdbc);
        messages = new MessageStore(jdbc, writerLanes);
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
        return new Database(config, H2_AFTER_COMMIT, false, EMBEDDED_WRITER_LANES);
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
        Database db = new Database(config, null, true, SERVER_WRITER_LANES);
        ServerDurability.check(db.jdbc);
        return db;
    }

    /** The pool itself, for callers that need plain JDBC (tests, tools). */
    public DataSource dataSource() {
        return pool;
    }

    /** The stores' JDBC helper, for the store's own tests. */
    Jdbc jdbc() {
        return jdbc;
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
