package muchat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import muchat.client.ChatClient;

/**
 * The real terminal client ({@link ChatClient}) running in this JVM as a person would use
 * it: a test types lines into its stdin, which stays open until {@link #close()}, and
 * awaits the lines it prints.
 *
 * <p>Threads: the test thread calls everything; the client's own threads only print.
 */
final class Terminal implements AutoCloseable {
    /** Quick reconnects so a test does not wait for the default backoff. */
    private static final ChatClient.Timing FAST = new ChatClient.Timing(50, 200, 30_000);
    private static final long WAIT_MILLIS = 10_000;

    private final String label;
    private final PipedOutputStream keyboard = new PipedOutputStream();
    private final Screen screen = new Screen();
    private final CompletableFuture<Integer> exit;
    /** Lines before this index have been matched by an earlier {@link #await}. */
    private int cursor;

    Terminal(String label, InetSocketAddress server) throws IOException {
        this(label, server, null, "default");
    }

    /** A terminal client started with {@code --device device}. */
    Terminal(String label, InetSocketAddress server, String device) throws IOException {
        this(label, server, null, device);
    }

    /** A client that speaks TLS with {@code tls} (plaintext when null), as {@code client --tls} does. */
    Terminal(String label, InetSocketAddress server, SSLContext tls) throws IOException {
        this(label, server, tls, "default");
    }

    private Terminal(String label, InetSocketAddress server, SSLContext tls, String device) throws IOException {
        this.label = label;
        BufferedReader stdin = new BufferedReader(
                new InputStreamReader(new PipedInputStream(keyboard), StandardCharsets.UTF_8));
        ChatClient client = new ChatClient(server, tls, stdin, new PrintStream(screen, true, StandardCharsets.UTF_8), FAST,
                device);
        exit = CompletableFuture.supplyAsync(() -> {
            try {
                return client.run();
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        });
    }

    /** Types each line followed by Enter. */
    void type(String... lines) throws IOException {
        for (String line : lines) {
            keyboard.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        keyboard.flush();
    }

    /** Registers through the menu; returns the id the client shows. */
    long register(String name, String password) throws IOException {
        type("2", name, password);
        return Long.parseLong(await(Pattern.compile("registered: your id is (\\d+)")).group(1));
    }

    /** Logs in through the menu and waits for the welcome. */
    void login(String name, String password) throws IOException {
        type("1", name, password);
        await("welcome " + name + ", your id is");
    }

    /** The first line after the last awaited one that contains {@code part}. */
    String await(String part) {
        return await(Pattern.compile(Pattern.quote(part))).group();
    }

    /** The first match in a line after the last awaited one; that line becomes the last awaited. */
    Matcher await(Pattern pattern) {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (true) {
            List<String> lines = screen.lines();
            for (int i = cursor; i < lines.size(); i++) {
                Matcher m = pattern.matcher(lines.get(i));
                if (m.find()) {
                    cursor = i + 1;
                    return m;
                }
            }
            if (!screen.awaitMore(lines.size(), deadline)) {
                throw new AssertionError(label + " did not show /" + pattern + "/ within " + WAIT_MILLIS
                        + " ms; screen:\n" + transcript());
            }
        }
    }

    /** How many lines shown so far contain {@code part}. */
    long count(String part) {
        return screen.lines().stream().filter(line -> line.contains(part)).count();
    }

    String transcript() {
        return String.join("\n", screen.lines());
    }

    /** Ends the input, as Ctrl-D would, and expects the client to quit normally. */
    @Override
    public void close() throws Exception {
        keyboard.close();
        assertEquals(0, exit.get(WAIT_MILLIS, TimeUnit.MILLISECONDS), label + " exit code");
    }

    /** What the client printed, cut into lines (a prompt joins the line printed after it). */
    private static final class Screen extends OutputStream {
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private final List<String> lines = new ArrayList<>();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                lines.add(partial.toString(StandardCharsets.UTF_8));
                partial.reset();
                notifyAll();
            } else {
                partial.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        synchronized List<String> lines() {
            return new ArrayList<>(lines);
        }

        /** Waits until there are more than {@code seen} lines; false at the deadline. */
        synchronized boolean awaitMore(int seen, long deadline) {
            long left;
            while (lines.size() <= seen && (left = deadline - System.currentTimeMillis()) > 0) {
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return lines.size() > seen;
        }
    }
}
