package muchat.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One muchat server in a JVM of its own, started from the test's class path
 * ({@code java -cp <java.class.path> muchat.server.Main server ARGS}), with its output
 * in {@code target/it-logs/<name>.log} (appended across restarts). {@link #start} waits
 * for the log line containing {@code ready}; {@link #kill9} is SIGKILL, {@link #stop}
 * SIGTERM (graceful shutdown); {@link #start} again restarts it with the same arguments.
 *
 * <p>Threads: one test thread at a time.
 */
public final class MuchatProcess implements AutoCloseable {
    static final Path LOG_DIR = Path.of("target", "it-logs");
    private static final String SERVER_MAIN = "muchat.server.Main";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final List<String> command;
    private final List<String> args;
    private final String name;
    private final Path log;
    private Process process;

    MuchatProcess(String mainClass, String name, List<String> args) {
        this.name = name;
        this.args = List.copyOf(args);
        this.log = LOG_DIR.resolve(name + ".log");
        this.command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
    }

    /**
     * Starts {@code muchat.server.Main server ARGS} and waits until it is ready. Tests
     * register and log in many users from 127.0.0.1: the server starts with cheap password
     * hashes and no limits per client address, which {@code serverArgs} may turn back on
     * (a later flag wins).
     *
     * @param name names the log file, e.g. the instance id
     * @param serverArgs e.g. {@code --port 6001 --instance a --redis 127.0.0.1:P --db-url ...}
     */
    public static MuchatProcess launch(String name, List<String> serverArgs) {
        List<String> args = new ArrayList<>(List.of("server", "--hash-memory", "8", "--throttle-addresses", "no",
                "--max-registrations-per-address", "0"));
        args.addAll(serverArgs);
        MuchatProcess p = new MuchatProcess(SERVER_MAIN, name, args);
        p.start();
        return p;
    }

    /**
     * Runs {@code muchat.server.Main server ARGS} that is expected to give up at start, and
     * waits until it has exited; {@link #exitValue} and {@link #logFile} tell how.
     */
    public static MuchatProcess runToExit(String name, List<String> serverArgs) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("server"));
        args.addAll(serverArgs);
        MuchatProcess p = new MuchatProcess(SERVER_MAIN, name, args);
        p.appendBanner();
        p.process = LocalProcess.start(p.command, p.log);
        if (!p.process.waitFor(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.kill9();
            throw new IllegalStateException(name + " still runs after " + START_TIMEOUT.toSeconds() + " s");
        }
        return p;
    }

    /** Starts the process (again) and waits for its {@code ready} line. */
    public void start() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        long from = appendBanner();
        process = LocalProcess.start(command, log);
        LocalProcess.await(name, process, log, START_TIMEOUT, () -> readySince(from));
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public Path logFile() {
        return log;
    }

    /** The exit status of the last run; only once it has ended. */
    public int exitValue() {
        return process.exitValue();
    }

    /** SIGKILL: the server gets no chance to release anything. */
    public void kill9() {
        LocalProcess.kill(process);
    }

    /** SIGTERM, waiting for the graceful shutdown (SIGKILL if it takes longer than 15 s). */
    public void stop() {
        LocalProcess.stop(process, STOP_GRACE);
    }

    /** Marks where this start's output begins; returns the log's length before it. */
    private long appendBanner() {
        try {
            Files.createDirectories(LOG_DIR);
            long length = Files.exists(log) ? Files.size(log) : 0;
            Files.writeString(log, "---- start " + LocalTime.now() + " " + String.join(" ", args) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return length;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean readySince(long offset) {
        try {
            byte[] all = Files.readAllBytes(log);
            String since = new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
            return since.lines().skip(1).anyMatch(line -> line.contains("ready"));
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        kill9();
    }
}
