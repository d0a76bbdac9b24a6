package muchat.it;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A private MariaDB server (mariadbd) on a free loopback port with its own data
 * directory, for tests that stop or kill the database. User root, empty password,
 * database {@value #DATABASE} created on first start. Creating the data directory takes
 * a few seconds (mariadb-install-db); a restart takes well under one.
 *
 * <p>Threads: one test thread at a time.
 */
public final class MariaDbProcess implements AutoCloseable {
    public static final String DATABASE = "muchat";
    private static final Duration INSTALL_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final int port = LocalProcess.freePort();
    private final Path dir = LocalProcess.tempDir("muchat-mariadb-");
    private final Path dataDir = dir.resolve("data");
    private final Path log = dir.resolve("mariadb.log");
    private Process process;

    private MariaDbProcess() {
    }

    /** Creates a data directory, starts the server and creates the database. */
    public static MariaDbProcess launch() {
        MariaDbProcess db = new MariaDbProcess();
        db.install();
        db.start();
        db.execute("CREATE DATABASE IF NOT EXISTS " + DATABASE);
        return db;
    }

    public int port() {
        return port;
    }

    /** The URL of {@value #DATABASE} on this server, as {@code --db-url} takes it. */
    public String jdbcUrl() {
        return "jdbc:mysql://" + LocalProcess.LOOPBACK + ":" + port + "/" + DATABASE;
    }

    private void install() {
        List<String> command = new ArrayList<>(List.of("mariadb-install-db", "--no-defaults",
                "--auth-root-authentication-method=normal", "--skip-test-db", "--datadir=" + dataDir));
        command.addAll(userOption());
        Process installer = LocalProcess.start(command, log);
        LocalProcess.await("mariadb-install-db", null, log, INSTALL_TIMEOUT, () -> !installer.isAlive());
        if (installer.exitValue() != 0) {
            throw new IllegalStateException("mariadb-install-db failed; end of " + log + ":\n" + LocalProcess.tail(log));
        }
    }

    /** Starts mariadbd on this object's data directory and port; waits until it answers SQL. */
    public void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("mariadb on port " + port + " is already running");
        }
        List<String> command = new ArrayList<>(List.of("mariadbd", "--no-defaults",
                "--datadir=" + dataDir, "--port=" + port, "--bind-address=" + LocalProcess.LOOPBACK,
                "--socket=" + dir.resolve("mariadb.sock"), "--pid-file=" + dir.resolve("mariadb.pid"),
                "--skip-log-bin", "--innodb-buffer-pool-size=32M"));
        command.addAll(userOption());
        process = LocalProcess.start(command, log);
        LocalProcess.await("mariadbd on port " + port, process, log, START_TIMEOUT, this::answers);
    }

    /** Clean shutdown (SIGTERM), as an operator would stop it. */
    public void stop() {
        LocalProcess.stop(process, STOP_GRACE);
    }

    /** SIGKILL: the next start runs InnoDB crash recovery. */
    public void kill() {
        LocalProcess.kill(process);
    }

    /** Runs one SQL statement as root (on no database in particular). */
    public void execute(String sql) {
        try (Connection c = connect(""); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on port " + port + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    /** A new connection to {@code database} (empty for none); the caller closes it. */
    public Connection connect(String database) throws SQLException {
        String url = "jdbc:mysql://" + LocalProcess.LOOPBACK + ":" + port + "/" + database
                + "?connectTimeout=1000&socketTimeout=10000";
        return DriverManager.getConnection(url, "root", "");
    }

    private boolean answers() {
        try (Connection c = connect("")) {
            return c.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }

    /** mariadbd refuses to run as root unless told to. */
    private static List<String> userOption() {
        return "root".equals(System.getProperty("user.name")) ? List.of("--user=root") : List.of();
    }

    @Override
    public void close() {
        kill();
        LocalProcess.deleteTree(dir);
    }
}
