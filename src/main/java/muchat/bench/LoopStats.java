package muchat.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What one load thread measured inside the measurement window, plus the errors it saw
 * at any time. Merged by {@link ChatLoad} once the threads have stopped.
 *
 * <p>Threads: the owning load thread while it runs; then the main thread.
 */
final class LoopStats {
    /** Longest latency a histogram holds: an overloaded run's backlog may take minutes. */
    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(10);
    /** Send-to-deliver latency in microseconds. */
    final Histogram latencyMicros = new Histogram(MAX_MICROS, 3);
    /**
     * Send-to-SEND_ACK latency in microseconds: the store half of the path, so that a
     * tail can be told apart from one in the push half.
     */
    final Histogram ackLatencyMicros = new Histogram(MAX_MICROS, 3);
    /**
     * Open loop: how late, in microseconds, the load thread wrote each message after it
     * was due. It is part of both latencies above. It is the load client's own
     * scheduling, unless the user's window was full (then the server is behind).
     */
    final Histogram sendLateMicros = new Histogram(MAX_MICROS, 3);
    long ackedInWindow;
    long deliveredInWindow;
    long duplicates;
    long disconnects;
    long kicked;
    /** ERROR frames and failed LOGIN_ACK / REG_ACK, by errno. */
    final Map<Integer, Long> errnos = new TreeMap<>();

    void error(int errno) {
        errnos.merge(errno, 1L, Long::sum);
    }

    void add(LoopStats other) {
        latencyMicros.add(other.latencyMicros);
        ackLatencyMicros.add(other.ackLatencyMicros);
        sendLateMicros.add(other.sendLateMicros);
        ackedInWindow += other.ackedInWindow;
        deliveredInWindow += other.deliveredInWindow;
        duplicates += other.duplicates;
        disconnects += other.disconnects;
        kicked += other.kicked;
        other.errnos.forEach((errno, n) -> errnos.merge(errno, n, Long::sum));
    }

    /** e.g. {@code errno17=3 disconnects=1}, or {@code none}. */
    String errorSummary() {
        StringBuilder s = new StringBuilder();
        errnos.forEach((errno, n) -> s.append("errno").append(errno).append('=').append(n).append(' '));
        if (kicked > 0) {
            s.append("kicked=").append(kicked).append(' ');
        }
        if (disconnects > 0) {
            s.append("disconnects=").append(disconnects).append(' ');
        }
        if (duplicates > 0) {
            s.append("duplicates=").append(duplicates).append(' ');
        }
        return s.isEmpty() ? "none" : s.toString().trim();
    }
}
