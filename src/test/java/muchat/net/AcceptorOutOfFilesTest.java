package muchat.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import muchat.testing.Await;
import org.junit.jupiter.api.Test;

/**
 * Runs the echo server in a child JVM whose descriptor limit is tiny, floods it with
 * connections, and checks the acceptor neither spins nor dies, and recovers alone.
 */
class AcceptorOutOfFilesTest {
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    @Test
    void runningOutOfDescriptorsPausesAcceptingInsteadOfSpinningAndRecovers() throws Exception {
        int port = freePort();
        Path log = Files.createTempFile("emfile", ".log");
        Process server = new ProcessBuilder("bash", "-c", "ulimit -n 80 && exec java -Xmx64m -cp "
                + System.getProperty("java.class.path") + " muchat.bench.EchoServer --host 127.0.0.1 --port "
                + port + " --io-threads 1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        List<Socket> flood = new ArrayList<>();
        try {
            awaitLog(log, "ready");
            for (int i = 0; i < 150; i++) {
                flood.add(new Socket("127.0.0.1", port)); // completes in the kernel's backlog
            }
            awaitLog(log, "out of file descriptors");
            long before = cpuTicks(server.pid());
            Thread.sleep(2000); // a measurement window, not synchronisation
            long used = cpuTicks(server.pid()) - before;
            assertTrue(used < CLOCK_TICKS_PER_SECOND, "server burned " + used + " ticks in 2 s while out of fds");

            for (Socket socket : flood) {
                socket.close();
            }
            flood.clear();
            awaitLog(log, "accepting again");
            try (Socket fresh = new Socket("127.0.0.1", port)) {
                fresh.setSoTimeout(10_000);
                fresh.getOutputStream().write("back".getBytes());
                assertArrayEquals("back".getBytes(), fresh.getInputStream().readNBytes(4));
            }
            assertTrue(server.isAlive());
        } finally {
            for (Socket socket : flood) {
                socket.close();
            }
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        }
    }

    private static long cpuTicks(long pid) throws IOException {
        String[] fields = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceAll(".*\\) ", "").split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
    }

    private static void awaitLog(Path log, String text) throws Exception {
        if (!Await.holdsWithin(Duration.ofSeconds(20), () -> Files.readString(log).contains(text))) {
            throw new AssertionError("no '" + text + "' in server log:\n" + Files.readString(log));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
