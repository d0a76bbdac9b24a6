package muchat.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers RECV_ACKs and writes them every {@value #FLUSH_MS} ms, on a thread of its
 * own. Acks are only remembered in between: losing some merely re-delivers messages,
 * which the protocol allows, and each flush writes one row per user that acked. They
 * used to be flushed by a group-commit lane between two batches, and the messages
 * queued behind a flush of a thousand rows waited for it (docs/benchmarks.md).
 *
 * <p>Threads: {@link #ack}, {@link #pending} and {@link #close} from any thread; the
 * flushes run on the writer's own thread, and the last one in close.
 */
final class AckWriter {
    static final long FLUSH_MS = 1000;
    private static final Logger log = LoggerFactory.getLogger(AckWriter.class);
    private final Jdbc jdbc;
    /** uid -> highest seq acked but not yet written. */
    private final ConcurrentHashMap<Long, Long> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(task -> daemon(task, "muchat-db-acks"));
    private final Outage outage = new Outage(log, "writing acks", "keeping them for the next try");

    AckWriter(Jdbc jdbc) {
        this.jdbc = jdbc;
        thread.scheduleWithFixedDelay(this::flush, FLUSH_MS, FLUSH_MS, TimeUnit.MILLISECONDS);
    }

    /** Records that {@code uid} has everything up to {@code seq}; only ever grows. */
    void ack(long uid, long seq) {
        pending.merge(uid, seq, Math::max);
    }

    /** The highest seq acked by {@code uid} and not yet written, 0 if none. */
    long pending(long uid) {
        return pending.getOrDefault(uid, 0L);
    }

    /** Stops the timer, then writes what is pending one last time. */
    synchronized void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }

    private synchronized void flush() {
        if (pending.isEmpty()) {
            return;
        }
        SortedMap<Long, Long> acks = new TreeMap<>(pending);
        try {
            write(acks);
        } catch (SQLException | RuntimeException e) {
            outage.failed(e, 0);
            return;
        }
        outage.recovered();
        acks.forEach(pending::remove); // only those not raised meanwhile
    }

    /** Not made durable on its own: losing acks only re-delivers messages. */
    private void write(SortedMap<Long, Long> acks) throws SQLException {
        jdbc.inTransactionOrThrow(c -> {
            try (PreparedStatement ps = c.prepareStatement(jdbc.dialect().saveAck())) {
                for (Map.Entry<Long, Long> ack : acks.entrySet()) {
                    ps.setLong(1, ack.getKey());
                    ps.setLong(2, ack.getValue());
                    ps.addBatch();
                }
                return ps.executeBatch();
            }
        }, false);
    }

    private static Thread daemon(Runnable task, String name) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }
}
