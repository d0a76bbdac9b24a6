package muchat.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;
import javax.net.ssl.SSLContext;
import muchat.net.TlsContexts;

/**
 * A pingpong load client for echo servers, on plain JDK NIO so that it is the same
 * neutral code whichever server it measures (ours or the Netty peer).
 *
 * <p>Every connection sends one message of {@code --size} bytes, waits until all of it
 * has been echoed and sends it again, as muduo's pingpong benchmark does. The
 * connections are spread round-robin over {@code --threads} selector threads. After a
 * warm-up that is not measured, the client counts the echoed bytes for
 * {@code --seconds} and prints one line of {@code key=value} pairs, for example
 * <pre>
 * pingpong connections=100 established=100 size=16384 threads=2 seconds=3.001 bytes=... mib_per_s=... msgs_per_s=... client_cores=0.85
 * </pre>
 * With {@code --tls-ca CERT.pem} every connection speaks TLS (1.3 or 1.2) and trusts that
 * certificate; the message is then what is echoed, its records are what crosses the wire.
 * It exits with status 1 if any connection fails to connect or breaks during the run.
 */
public final class PingPongClient {
    /** What one run measures; see the class comment for the meaning of each option. */
    record Options(String host, int port, int connections, int size, int seconds,
                   int warmupSeconds, int threads, String tlsCa) {
        static Options parse(String[] args) {
            Flags flags = Flags.parse(args,
                    List.of("host", "port", "connections", "size", "seconds", "warmup", "threads", "tls-ca"),
                    List.of());
            return new Options(flags.string("host", "127.0.0.1"),
                    flags.positiveInt("port", 9981),
                    flags.positiveInt("connections", 1),
                    flags.positiveInt("size", 16384),
                    flags.positiveInt("seconds", 4),
                    flags.positiveInt("warmup", 1),
                    flags.positiveInt("threads", 2),
                    flags.string("tls-ca", ""));
        }
    }

    /** The counts of one measured interval; cpuSeconds is this client's own CPU time in it. */
    record Result(int established, long bytes, long messages, double seconds, double cpuSeconds) {
        double mibPerSecond() {
            return bytes / seconds / (1024.0 * 1024.0);
        }

        double messagesPerSecond() {
            return messages / seconds;
        }

        /** Cores the client kept busy; near the machine's core count, the client is the limit. */
        double clientCores() {
            return cpuSeconds / seconds;
        }
    }

    private PingPongClient() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Flags.parseOrExit("pingpong", "usage: PingPongClient [--host H] [--port P]"
                + " [--connections C] [--size S] [--seconds T] [--warmup W] [--threads K] [--tls-ca CERT.pem]",
                args, Options::parse);
        System.exit(run(options));
    }

    /** Runs one measurement, prints its line and returns the process exit status. */
    static int run(Options options) throws IOException, InterruptedException {
        List<PingPongLoop> loops = new ArrayList<>();
        ByteBuffer message = ByteBuffer.allocateDirect(options.size());
        for (int i = 0; i < Math.min(options.threads(), options.connections()); i++) {
            loops.add(new PingPongLoop(i, message));
        }
        int established = connectAll(options, loops);
        if (established < options.connections()) {
            System.out.println(line(options, new Result(established, 0, 0, 0, 0)));
            return 1;
        }
        loops.forEach(PingPongLoop::start);
        try {
            Result result = measure(options, loops);
            System.out.println(line(options, result));
        } finally {
            for (PingPongLoop loop : loops) {
                loop.stop();
            }
        }
        for (PingPongLoop loop : loops) {
            if (loop.failure() != null) {
                System.err.println("pingpong: FAILED " + loop.failure().getMessage());
                return 1;
            }
        }
        return 0;
    }

    /** Connects one after another; stops at the first failure and says why. */
    private static int connectAll(Options options, List<PingPongLoop> loops) throws IOException {
        InetSocketAddress server = new InetSocketAddress(options.host(), options.port());
        SSLContext tls = options.tlsCa().isEmpty() ? null : TlsContexts.client(Path.of(options.tlsCa()));
        for (int i = 0; i < options.connections(); i++) {
            try {
                loops.get(i % loops.size()).connect(server, tls);
            } catch (IOException e) {
                System.err.printf("pingpong: FAILED only %d of %d connections to %s: %s%n",
                        i, options.connections(), server, e);
                return i;
            }
        }
        return options.connections();
    }

    private static Result measure(Options options, List<PingPongLoop> loops) throws InterruptedException {
        Thread.sleep(options.warmupSeconds() * 1000L);
        long bytesBefore = sum(loops, PingPongLoop::bytesReceived);
        long messagesBefore = sum(loops, PingPongLoop::messagesReceived);
        long cpuBefore = processCpuNanos();
        long start = System.nanoTime();
        Thread.sleep(options.seconds() * 1000L);
        long bytes = sum(loops, PingPongLoop::bytesReceived) - bytesBefore;
        long messages = sum(loops, PingPongLoop::messagesReceived) - messagesBefore;
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
        return new Result(options.connections(), bytes, messages, seconds, cpuSeconds);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long sum(List<PingPongLoop> loops, ToLongFunction<PingPongLoop> counter) {
        return loops.stream().mapToLong(counter).sum();
    }

    private static String line(Options options, Result result) {
        return String.format(Locale.ROOT,
                "pingpong connections=%d established=%d size=%d threads=%d seconds=%.3f"
                        + " bytes=%d mib_per_s=%.1f msgs_per_s=%.0f client_cores=%.2f tls=%s",
                options.connections(), result.established(), options.size(), options.threads(),
                result.seconds(), result.bytes(),
                result.seconds() > 0 ? result.mibPerSecond() : 0.0,
                result.seconds() > 0 ? result.messagesPerSecond() : 0.0,
                result.seconds() > 0 ? result.clientCores() : 0.0, options.tlsCa().isEmpty() ? "off" : "on");
    }
}
