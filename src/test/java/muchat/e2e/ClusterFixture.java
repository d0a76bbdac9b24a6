package muchat.e2e;

import static muchat.protocol.MsgType.REG;
import static muchat.protocol.MsgType.REG_ACK;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import muchat.it.MariaDbProcess;
import muchat.it.MuchatProcess;
import muchat.it.NginxProcess;
import muchat.it.RedisProcess;

/**
 * A private muchat cluster for one test class: its own MariaDB, Redis, instances named
 * a, b, c... (each a real process with {@code --instance}, {@code --redis} and
 * {@code --db-url}) and nginx in front of them all. Faults are done to these processes
 * only, never to the machine's shared services. Instance logs are
 * {@code target/it-logs/<prefix>-<instance>.log}.
 *
 * <p>Threads: one test thread at a time.
 */
final class ClusterFixture implements AutoCloseable {
    private static final Duration RESTORE_TIMEOUT = Duration.ofSeconds(30);
    private final MariaDbProcess db;
    private final RedisProcess redis;
    private final Map<String, MuchatProcess> instances = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final NginxProcess nginx;
    private int probes;

    /**
     * Starts everything and waits until each process is ready.
     *
     * @param logPrefix     names the instances' log files
     * @param instanceCount how many muchat instances (a, b, c, ...)
     * @param extraArgs     more server flags for every instance, e.g. {@code --rate-limit 5000}
     */
    ClusterFixture(String logPrefix, int instanceCount, String... extraArgs) throws IOException {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            db = started(started, MariaDbProcess.launch());
            redis = started(started, RedisProcess.launch());
            for (int i = 0; i < instanceCount; i++) {
                String id = String.valueOf((char) ('a' + i));
                int port = RestartTest.freePort();
                List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", String.valueOf(port),
                        "--instance", id, "--redis", redis.hostPort(), "--db-url", db.jdbcUrl(),
                        "--db-user", "root", "--db-password", "",
                        // every test client, and nginx, connects from 127.0.0.1
                        "--max-connections-per-address", "100000"));
                args.addAll(List.of(extraArgs));
                instances.put(id, started(started, MuchatProcess.launch(logPrefix + "-" + id, args)));
                ports.put(id, port);
            }
            nginx = started(started, NginxProcess.launch(List.copyOf(ports.values())));
        } catch (RuntimeException | IOException e) {
            closeAll(started);
            throw e;
        }
    }

    private static <T extends AutoCloseable> T started(List<AutoCloseable> started, T process) {
        started.add(process);
        return process;
    }

    MariaDbProcess db() {
        return db;
    }

    RedisProcess redis() {
        return redis;
    }

    MuchatProcess instance(String id) {
        return instances.get(id);
    }

    /** Where to connect to reach instance {@code id} itself. */
    InetSocketAddress address(String id) {
        return new InetSocketAddress("127.0.0.1", ports.get(id));
    }

    /** Where a client of the whole cluster connects: nginx, which picks an instance. */
    InetSocketAddress nginxAddress() {
        return new InetSocketAddress("127.0.0.1", nginx.port());
    }

    /** Length of an instance's log now: a mark for {@link #logHasSince}. */
    long logMark(String id) {
        try {
            return Files.size(instance(id).logFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True if a line written to the instance's log after {@code mark} contains {@code text}. */
    boolean logHasSince(String id, long mark, String text) {
        try {
            byte[] all = Files.readAllBytes(instance(id).logFile());
            return new String(all, (int) mark, all.length - (int) mark, StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Brings back whatever a test broke, so that the next test starts with a whole cluster. */
    void restoreAll() {
        if (!redis.answersPing()) {
            redis.start();
        }
        boolean dbWasDown = !dbAnswers();
        if (dbWasDown) {
            db.start();
        }
        instances.values().stream().filter(p -> !p.isAlive()).forEach(MuchatProcess::start);
        if (dbWasDown) {
            ports.keySet().forEach(this::awaitRegistrationAt);
        }
    }

    private boolean dbAnswers() {
        try {
            db.connect("").close();
            return true;
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    /**
     * Registers a throwaway user at instance {@code id}, retrying while it answers errno 50:
     * after a database restart HikariCP reconnects with a backoff of up to 5 s, and the
     * next test should not begin inside it.
     */
    private void awaitRegistrationAt(String id) {
        long deadline = System.nanoTime() + RESTORE_TIMEOUT.toNanos();
        try (WireClient c = WireClient.nativeClient(address(id))) {
            while (true) {
                c.send(REG, WireClient.obj("name", "restore-" + id + "-" + probes++, "password", "restore-pw"));
                int errno = c.await(REG_ACK).get("errno").asInt();
                if (errno == 0) {
                    return;
                }
                if (errno != 50 || System.nanoTime() > deadline) {
                    throw new IllegalStateException("instance " + id + " still refuses a registration: errno " + errno);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // a client's retry interval
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>(List.of(nginx));
        all.addAll(instances.values());
        all.add(redis);
        all.add(db);
        closeAll(all);
    }

    private static void closeAll(List<AutoCloseable> processes) {
        for (AutoCloseable p : processes) {
            try {
                p.close();
            } catch (Exception e) {
                // Keep closing the others: a leftover process would outlive the test run.
            }
        }
    }
}
