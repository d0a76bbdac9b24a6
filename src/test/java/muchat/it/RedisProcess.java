package muchat.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A private redis-server on a free loopback port, without persistence, for tests that
 * break Redis: {@link #kill} is SIGKILL, {@link #start} brings it back on the same port
 * (empty, as a real restart without persistence would).
 *
 * <p>Threads: one test thread at a time.
 */
public final class RedisProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final int port = LocalProcess.freePort();
    private final Path dir = LocalProcess.tempDir("muchat-redis-");
    private final Path log = dir.resolve("redis.log");
    private Process process;

    private RedisProcess() {
    }

    /** Starts a new private Redis and waits until it answers PING. */
    public static RedisProcess launch() {
        RedisProcess redis = new RedisProcess();
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

    /** Starts redis-server on this object's port; waits until it answers PING. */
    public void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("redis on port " + port + " is already running");
        }
        process = LocalProcess.start(List.of("redis-server",
                "--port", Integer.toString(port), "--bind", LocalProcess.LOOPBACK,
                "--save", "", "--appendonly", "no", "--dir", dir.toString()), log);
        LocalProcess.await("redis-server on port " + port, process, log, START_TIMEOUT, this::answersPing);
    }

    /** SIGKILL: no goodbye to any client. */
    public void kill() {
        LocalProcess.kill(process);
    }

    /** True if the server answers PING now. */
    public boolean answersPing() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LocalProcess.LOOPBACK, port), 200);
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] reply = in.readNBytes(7);
            return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
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
