package muchat.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import muchat.it.LocalProcess;
import muchat.server.ChatServer;
import muchat.server.Config;
import muchat.store.Database;

/**
 * A real muchat server in this JVM on a loopback port, with its own embedded database: a
 * fresh one on a free port, or (to restart) the data directory and port of an earlier one.
 */
final class ServerFixture implements AutoCloseable {
    /**
     * Data directories made here. A restart reuses one after {@link #close()}, so they
     * are removed when the test JVM exits rather than on close.
     */
    private static final Set<Path> MADE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> MADE.forEach(LocalProcess::deleteTree)));
    }

    /** KiB per password hash in tests: the least Argon2id takes. */
    static final int TEST_HASH_MEMORY_KIB = 8;

    private final ChatServer server;
    private final Path dataDir;

    ServerFixture(String... extraArgs) throws IOException {
        this(newDataDir(), 0, extraArgs);
    }

    /** A server on {@code port} (0: any free one) over the database in {@code dataDir}. */
    ServerFixture(Path dataDir, int port, String... extraArgs) throws IOException {
        this.dataDir = dataDir;
        // Every test client connects from 127.0.0.1, some tests with hundreds of connections
        // and users: no limits per address, and cheap password hashes, unless extraArgs say so.
        String[] base = {"--host", "127.0.0.1", "--port", String.valueOf(port), "--data", dataDir.toString(),
                "--io-threads", "2", "--logic-threads", "4", "--max-connections-per-address", "100000",
                "--hash-memory", String.valueOf(TEST_HASH_MEMORY_KIB), "--throttle-addresses", "no",
                "--max-registrations-per-address", "0"};
        String[] args = new String[base.length + extraArgs.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extraArgs, 0, args, base.length, extraArgs.length);
        Map<String, String> noEnv = new HashMap<>();
        server = new ChatServer(Config.parse(args, noEnv));
        server.start();
    }

    /**
     * A fresh server over a database that {@code seed} filled first through the store's
     * API: quicker than the wire for setting up hundreds of users.
     */
    static ServerFixture seeded(Consumer<Database> seed, String... extraArgs) throws IOException {
        Path dataDir = newDataDir();
        try (Database database = Database.embedded(dataDir, TEST_HASH_MEMORY_KIB)) {
            seed.accept(database);
        }
        return new ServerFixture(dataDir, 0, extraArgs);
    }

    private static Path newDataDir() {
        Path dir = LocalProcess.tempDir("muchat-e2e");
        MADE.add(dir);
        return dir;
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.address().getPort());
    }

    long bufferedBytes() {
        return server.bufferedBytes();
    }

    /**
     * A plain JDBC connection to the running server's embedded SQLite database, for a test
     * that must set up more rows than it could send in reasonable time. It waits its turn
     * to write, as the server's own connections do.
     */
    Connection openDatabase() throws SQLException {
        Properties settings = new Properties();
        settings.setProperty("busy_timeout", "10000");
        return DriverManager.getConnection("jdbc:sqlite:" + dataDir.toAbsolutePath().resolve("muchat.db"), settings);
    }

    /** The same data directory and port, served again after {@link #close()}: a restart. */
    ServerFixture restart(String... extraArgs) throws IOException {
        return new ServerFixture(dataDir, address().getPort(), extraArgs);
    }

    @Override
    public void close() {
        server.close();
    }
}
