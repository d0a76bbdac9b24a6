package muchat.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import muchat.testing.Await;

/**
 * Helpers shared by the process wrappers of this package: free loopback ports,
 * bounded waits, starting a process with its output in a log file, stopping it.
 *
 * <p>Stateless; any thread.
 */
public final class LocalProcess {
    static final String LOOPBACK = "127.0.0.1";

    private LocalProcess() {
    }

    /** A loopback port nobody listens on right now (the usual small race is accepted). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** True if something accepts TCP connections on the loopback port. */
    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LOOPBACK, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Starts {@code command} with stdout and stderr appended to {@code log}. */
    static Process start(List<String> command, Path log) {
        try {
            Files.createDirectories(log.getParent());
            return new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0) + " (is it installed?)", e);
        }
    }

    /**
     * Polls {@code ready} until it holds; fails with the log's tail if the process exits
     * first or {@code timeout} passes.
     */
    static void await(String what, Process process, Path log, Duration timeout, BooleanSupplier ready) {
        boolean isReady = Await.holdsWithin(timeout, () -> {
            if (ready.getAsBoolean()) {
                return true;
            }
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException(what + " exited with status " + process.exitValue()
                        + " before it was ready; end of " + log + ":\n" + tail(log));
            }
            return false;
        });
        if (!isReady) {
            throw new IllegalStateException(what + " not ready after " + timeout.toMillis()
                    + " ms; end of " + log + ":\n" + tail(log));
        }
    }

    /** SIGTERM, then SIGKILL after {@code grace}; children (nginx workers) included. */
    static void stop(Process process, Duration grace) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    /** SIGKILL, children included, and wait until it is gone. */
    static void kill(Process process) {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        try {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temp directory is harmless.
        }
    }
}
