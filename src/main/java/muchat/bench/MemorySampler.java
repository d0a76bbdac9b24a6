package muchat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Watches a server's memory during a benchmark run, for {@code scripts/bench-chat.sh
 * overload}: once a second for {@code --seconds}, its resident memory ({@code VmRSS} in
 * {@code /proc/PID/status}: heap and native memory alike) and the heap left after each
 * collection its GC log reported meanwhile ({@link GcLog}). Each second goes to stderr,
 * the figures of {@link MemoryTrend#summary} to stdout.
 *
 * <pre>java -cp muchat.jar muchat.bench.MemorySampler --pid 4242 --gc-log gc.log --seconds 60</pre>
 *
 * <p>Neither source touches the server: no attach, no safepoint, no JVM started per
 * sample as {@code jcmd} would need, which a loaded two-core machine would feel.
 * Linux only. Stops early when the server is gone.
 *
 * <p>Threads: the main thread only.
 */
public final class MemorySampler {
    static final String USAGE = """
            usage: MemorySampler --pid PID --gc-log FILE [--seconds 60] [--flat-after 10]""";

    private MemorySampler() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Flags flags = Flags.parseOrExit("memorysampler", USAGE, args,
                a -> Flags.parse(a, List.of("pid", "gc-log", "seconds", "flat-after"), List.of()));
        int pid = flags.positiveInt("pid", Integer.MAX_VALUE);
        String gcLog = flags.string("gc-log", "");
        if (pid == Integer.MAX_VALUE || gcLog.isEmpty()) {
            System.err.println("memorysampler: need --pid and --gc-log");
            System.err.println(USAGE);
            System.exit(2);
        }
        MemoryTrend trend = sample(Path.of("/proc", Integer.toString(pid), "status"), new GcLog(Path.of(gcLog)),
                flags.positiveInt("seconds", 60), new MemoryTrend(flags.intAtLeast("flat-after", 10, 0)));
        System.out.println(trend.summary());
    }

    /** Samples at 0, 1, ... {@code seconds} seconds from now, or until the process is gone. */
    private static MemoryTrend sample(Path status, GcLog gcLog, int seconds, MemoryTrend trend)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        for (int second = 0; second <= seconds; second++) {
            long due = start + TimeUnit.SECONDS.toNanos(second);
            TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime()));
            List<Long> heaps = gcLog.newHeapsAfterGc();
            heaps.forEach(trend::heapAfterGc);
            long rss = rssKib(status);
            if (rss < 0) {
                trend.exited(second);
                System.err.printf(Locale.ROOT, "t=%ds the server is gone%n", second);
                break;
            }
            trend.rss(second, rss);
            System.err.printf(Locale.ROOT, "t=%ds rss_mib=%d heaps_after_gc_mib=%s%n", second, rss / 1024,
                    heaps.stream().map(kib -> Long.toString(kib / 1024)).toList());
        }
        return trend;
    }

    /** VmRSS of a {@code /proc/PID/status} file in KiB; -1 once the process has exited. */
    static long rssKib(Path status) {
        try {
            return rssKib(Files.readAllLines(status));
        } catch (IOException e) {
            return -1; // gone, or going: its /proc entry vanished or cannot be read any more
        }
    }

    /** VmRSS of the lines of a status file in KiB; -1 without one (a zombie has none). */
    static long rssKib(List<String> statusLines) {
        for (String line : statusLines) {
            if (line.startsWith("VmRSS:")) {
                // "VmRSS:\t  812345 kB": the kernel always counts in kB.
                return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim());
            }
        }
        return -1;
    }
}
