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
 * on them. Either the embedded SQLite (one instance, nothing to install) or MariaDB/MySQL
 * (a cluster of instances sharing one database). H2 is reachable through {@link #h2}
 * for comparison, and a data directory that holds an H2 database is moved into SQLite
 * once (see {@link H2Migration}).
 *
 * <p>Threads: the stores may be used from any thread; {@link #close} once, last.
 */
public final class Database implements AutoCloseable {
    /** The writer lanes plus the reads of the logic threads (logins, history, replays). */
    private static final int POOL_SIZE = 16;
    private static final long CONNECTION_TIMEOUT_MS = 3_000;

    /** The embedded database's file in the data directory. */
    static final String SQLITE_FILE = "muchat.db";

    /**
     * SQLite settings, applied by the driver to each new connection.
     * <ul>
     * <li>journal_mode=WAL: readers read while the writer writes, and a commit appends to
     *     one file (the write-ahead log) instead of rewriting pages in place.</li>
     * <li>synchronous=FULL: COMMIT fsyncs the WAL, so a commit is durable when it returns,
     *     one fsync per group commit, and SEND_ACK needs no checkpoint step of its own
     *     (NORMAL would leave the last commits to the next checkpoint's fsync).</li>
     * <li>The WAL is copied into the database file by the automatic checkpoint, which the
     *     committing writer runs once the WAL holds wal_autocheckpoint pages. A group
     *     commit of many users' messages dirties a page of each index per user, so with
     *     SQLite's default a checkpoint would follow nearly every commit and copy each
     *     page once per commit; with a larger WAL a checkpoint copies once the last
     *     version of a page that several commits wrote, for less of the writer's CPU per
     *     message (docs/benchmarks.md).</li>
     * <li>A checkpoint copies no frame that a reader's snapshot still needs, and the WAL
     *     restarts from its beginning only when no reader uses it, so readers that overlap
     *     without end could starve it and the WAL would grow. Here a read holds its
     *     snapshot for one statement (the reads run in autocommit mode), and the writer's
     *     kept connection holds none between batches, so the next commit finds the WAL
     *     free again; journal_size_limit then cuts a WAL file that a burst grew back
     *     down.</li>
     * <li>cache_size (KiB when negative) per connection, taken as pages are read: the
     *     index pages that many busy users touch stay in the writer's cache.</li>
     * <li>busy_timeout: SQLite lets one connection write at a time, and another writer
     *     (registrations, acks, a second server on the same file) waits this long for it.</li>
     * <li>foreign_keys off: chat.sql declares none; the service checks what exists.</li>
     * </ul>
     */
    private static final Map<String, String> SQLITE_SETTINGS = Map.of(
            "journal_mode", "WAL",
            "synchronous", "FULL",
            "wal_autocheckpoint", "10000",
            "journal_size_limit", String.valueOf(64L << 20),
            "cache_size", "-32768",
            "busy_timeout", "10000",
            "foreign_keys", "false");

    /**
     * H2 settings: MySQL mode for chat.sql, lower-case names as MariaDB has them, and a
     * lock timeout long enough for a writer waiting on the message writer's cursor locks.
     * DB_CLOSE_ON_EXIT=FALSE because we close the database ourselves, after the message
     * writer drained its queue. A large page cache (CACHE_SIZE, in KiB) holds the index
     * pages that many busy users touch, which the default cache would read back from the
     * file on every batch, and a larger statement cache keeps the writer's statements
     * parsed. TRACE_LEVEL_FILE=0: H2 would copy every failed statement's error
     * into a muchat.trace.db beside the database, and an error about a value quotes the
     * value, a message's text; every error reaches the server as an exception anyway.
     * Durability: see {@link Dialect#afterCommit}: H2 writes a commit to its file up to
     * 500 ms later (WRITE_DELAY), and even then only to the operating system's cache;
     * WRITE_DELAY=0 would write on every row change, far more per message, and still not
     * fsync. The {@link Checkpointer} runs one CHECKPOINT SYNC
     * for all the group commits that finished meanwhile.
     */
    private static final String H2_SETTINGS = ";MODE=MySQL;DATABASE_TO_LOWER=TRUE"
            + ";DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000;QUERY_CACHE_SIZE=64;CACHE_SIZE=131072"
            + ";TRACE_LEVEL_FILE=0";

    /** SQLite (as H2) writes from one connection at a time anyway: one group-commit lane. */
    private static final int EMBEDDED_WRITER_LANES = 1;
    /**
     * A database server runs each connection's statements on one thread of its own, so
     * one lane is bound by one MariaDB thread and a second keeps another core busy; more
     * lanes only split the same messages into more, smaller commits, and MariaDB pays
     * per commit (docs/benchmarks.md). Each lane keeps one pooled connection, well
     * under the pool size.
     */
    private static final int SERVER_WRITER_LANES = 2;

    /**
     * Connector/J settings: rewriteBatchedStatements sends a batch of INSERTs as one
     * multi-row INSERT (and still returns every generated key); allowMultiQueries lets
     * the group commit send several statements in one round trip (see {@link Jdbc#run});
     * client-side prepared statements (useServerPrepStmts=false) need no extra prepare
     * round trip and are cached by cachePrepStmts: server-side ones would save MariaDB
     * parsing but cost a prepare for each of the batches' many statement shapes; the
     * rest saves round trips for session state.
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
    private final ConversationStore conversations;

    private final Jdbc jdbc;

    private Database(HikariConfig config, Dialect dialect, int writerLanes, Passwords passwords) {
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
            Schema.create(pool, dialect);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        jdbc = new Jdbc(pool, dialect);
        users = new UserStore(jdbc, passwords);
        friends = new FriendStore(jdbc);
        groups = new GroupStore(jdbc);
        messages = new MessageStore(jdbc, writerLanes);
        conversations = new ConversationStore(jdbc);
    }

    /**
     * The embedded SQLite database in {@code dataDir/muchat.db} (with its -wal and -shm
     * files while open); creates both as needed, for the server's user only
     * ({@link PrivateFiles}). An H2 database in the directory is moved into it first
     * (see {@link H2Migration}).
     */
    public static Database embedded(Path dataDir) throws StoreException {
        return embedded(dataDir, Passwords.DEFAULT_MEMORY_KIB);
    }

    /** {@link #embedded(Path)} whose new password hashes take {@code hashMemoryKib} KiB each. */
    public static Database embedded(Path dataDir, int hashMemoryKib) throws StoreException {
        PrivateFiles.prepare(dataDir, SQLITE_FILE);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:sqlite:" + dataDir.toAbsolutePath().resolve(SQLITE_FILE));
        SQLITE_SETTINGS.forEach(config::addDataSourceProperty);
        Database db = new Database(config, Dialect.SQLITE, EMBEDDED_WRITER_LANES, new Passwords(hashMemoryKib));
        try {
            H2Migration.runIfPresent(dataDir, db.pool);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return db;
    }

    /**
     * The embedded H2 database in the files {@code dataDir/muchat.*}, for comparing it
     * with SQLite; creates both as needed.
     */
    public static Database h2(Path dataDir) throws StoreException {
        createDirectories(dataDir);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(h2Url(dataDir) + H2_SETTINGS);
        config.setUsername("sa");
        config.setPassword("");
        return new Database(config, Dialect.H2, EMBEDDED_WRITER_LANES, new Passwords(Passwords.DEFAULT_MEMORY_KIB));
    }

    /** The JDBC URL of the H2 database in {@code dataDir}, without settings. */
    static String h2Url(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("muchat");
    }

    private static void createDirectories(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new StoreException("cannot create " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * MariaDB or MySQL at {@code jdbcUrl} (for example
     * {@code jdbc:mysql://127.0.0.1:3306/muchat}). The database must exist, or the URL
     * must say {@code createDatabaseIfNotExist=true}.
     */
    public static Database mysql(String jdbcUrl, String user, String password) throws StoreException {
        return mysql(jdbcUrl, user, password, Passwords.DEFAULT_MEMORY_KIB);
    }

    /** {@link #mysql(String, String, String)} whose new password hashes take {@code hashMemoryKib} KiB each. */
    public static Database mysql(String jdbcUrl, String user, String password, int hashMemoryKib)
            throws StoreException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        MYSQL_SETTINGS.forEach(config::addDataSourceProperty);
        Database db = new Database(config, Dialect.MYSQL, SERVER_WRITER_LANES, new Passwords(hashMemoryKib));
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

    public ConversationStore conversations() {
        return conversations;
    }

    /** Drains the message writer (committing what was submitted), then closes the pool. */
    @Override
    public void close() {
        messages.close();
        pool.close();
    }
}
