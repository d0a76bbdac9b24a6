package muchat.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A private redis-server on a free loopback port, without persistence, for tests that
 * break Redis: {@link #kill} is SIGKILL, {@link #start} brings it back on the same port
 * (empty, as a real restart without persistence would). {@link #launchWithPassword}
 * makes one that requires a password ({@code requirepass}).
 *
 * <p>Threads: one test thread at a time.
 */
public final class RedisProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final int port = LocalProcess.freePort();
    private final Path dir = LocalProcess.tempDir("muchat-redis-");
    private final Path log = dir.resolve("redis.log");
    /** What clients must AUTH with, or null for none. */
    private final String password;
    private Process process;

    private RedisProcess(String password) {
        this.password = password;
    }

    /** Starts a new private Redis and waits until it answers PING. */
    public static RedisProcess launch() {
        return launchWithPassword(null);
    }

    /** Starts a new private Redis that requires {@code password} and waits until it answers PING after AUTH. */
    public static RedisProcess launchWithPassword(String password) {
        RedisProcess redis = new RedisProcess(password);
        redis.start();
        return redis;
    }

    public int port() {
        return port;
    }

    /** "127.0.0.1:port", as {@code --redis} takes it. */
    public String hostPort() {
        return LocalProcess.LOOPBACK + ":" + port;
    }

    /** "redis://[user]:password@127.0.0.1:port", as {@code --redis} takes it. */
    public String uri(String user, String password) {
        return "redis://" + (user == null ? "" : user) + ":" + password + "@" + hostPort();
    }

    /** Starts redis-server on this object's port; waits until it answers PING. */
    public void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("redis on port " + port + " is already running");
        }
        List<String> command = new ArrayList<>(List.of("redis-server",
                "--port", Integer.toString(port), "--bind", LocalProcess.LOOPBACK,
                "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        if (password != null) {
            command.addAll(List.of("--requirepass", password));
        }
        process = LocalProcess.start(command, log);
        LocalProcess.await("redis-server on port " + port, process, log, START_TIMEOUT, this::answersPing);
    }

    /** SIGKILL: no goodbye to any client. */
    public void kill() {
        LocalProcess.kill(process);
    }

    /** True if the server answers PING now (after AUTH with the password, if it has one). */
    public boolean answersPing() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LocalProcess.LOOPBACK, port), 200);
            s.setSoTimeout(500);
            String auth = password == null ? "" : "AUTH " + password + "\r\n";
            String expected = (password == null ? "" : "+OK\r\n") + "+PONG\r\n";
            OutputStream out = s.getOutputStream();
            out.write((auth + "PING\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] reply = in.readNBytes(expected.length());
            return new String(reply, StandardCharsets.US_ASCII).equals(expected);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        kill();
        LocalProcess.deleteTree(dir);
    }
}
