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
 * which the protocol allows, and each flush writes one row per device that acked: in
 * inbox_ack for the device {@value MessageStore#DEFAULT_DEVICE}, in device_ack for the
 * others (see chat.sql). The flush has this thread to itself so that no message waits
 * behind it: in a group-commit lane every message queued behind a flush of many rows
 * would wait for it (docs/benchmarks.md).
 *
 * <p>Threads: {@link #ack}, {@link #pending} and {@link #close} from any thread; the
 * flushes run on the writer's own thread, and the last one in close.
 */
final class AckWriter {
    static final long FLUSH_MS = 1000;
    private static final Logger log = LoggerFactory.getLogger(AckWriter.class);
    private final Jdbc jdbc;
    /** (uid, device) -> highest seq acked but not yet written. */
    private final ConcurrentHashMap<DeviceKey, Long> pending = new ConcurrentHashMap<>();
    /** uid -> highest seq acked by any of its devices but not yet written. */
    private final ConcurrentHashMap<Long, Long> pendingOfUser = new ConcurrentHashMap<>();
    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(task -> daemon(task, "muchat-db-acks"));
    private final Outage outage = new Outage(log, "writing acks", "keeping them for the next try");

    AckWriter(Jdbc jdbc) {
        this.jdbc = jdbc;
        thread.scheduleWithFixedDelay(this::flush, FLUSH_MS, FLUSH_MS, TimeUnit.MILLISECONDS);
    }

    /** One device of one user; ordered by uid, so that flushes lock rows in one order. */
    private record DeviceKey(long uid, String device) implements Comparable<DeviceKey> {
        @Override
        public int compareTo(DeviceKey o) {
            int byUid = Long.compare(uid, o.uid);
            return byUid != 0 ? byUid : device.compareTo(o.device);
        }
    }

    /** Records that {@code device} of {@code uid} has everything up to {@code seq}; only ever grows. */
    void ack(long uid, String device, long seq) {
        pending.merge(new DeviceKey(uid, device), seq, Math::max);
        pendingOfUser.merge(uid, seq, Math::max);
    }

    /** The highest seq acked by {@code device} of {@code uid} and not yet written, 0 if none. */
    long pending(long uid, String device) {
        return pending.getOrDefault(new DeviceKey(uid, device), 0L);
    }

    /** True if {@code device} of {@code uid} has an ack not yet written, even of seq 0. */
    boolean isPending(long uid, String device) {
        return pending.containsKey(new DeviceKey(uid, device));
    }

    /** The highest seq acked by any device of {@code uid} and not yet written, 0 if none. */
    long pending(long uid) {
        return pendingOfUser.getOrDefault(uid, 0L);
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
        // Users first: what is raised between the two copies stays pending for the next flush.
        Map<Long, Long> ofUsers = Map.copyOf(pendingOfUser);
        SortedMap<DeviceKey, Long> acks = new TreeMap<>(pending);
        try {
            write(acks);
        } catch (SQLException | RuntimeException e) {
            outage.failed(e, 0);
            return;
        }
        outage.recovered();
        acks.forEach(pending::remove); // only those not raised meanwhile
        ofUsers.forEach(pendingOfUser::remove);
    }

    /** Not made durable on its own: losing acks only re-delivers messages. */
    private void write(SortedMap<DeviceKey, Long> acks) throws SQLException {
        jdbc.inTransactionOrThrow(c -> {
            try (PreparedStatement defaults = c.prepareStatement(jdbc.dialect().saveAck());
                 PreparedStatement others = c.prepareStatement(jdbc.dialect().saveDeviceAck())) {
                boolean anyOther = false;
                for (Map.Entry<DeviceKey, Long> ack : acks.entrySet()) {
                    if (ack.getKey().device().equals(MessageStore.DEFAULT_DEVICE)) {
                        defaults.setLong(1, ack.getKey().uid());
                        defaults.setLong(2, ack.getValue());
                        defaults.addBatch();
                    } else {
                        others.setLong(1, ack.getKey().uid());
                        others.setString(2, ack.getKey().device());
                        others.setLong(3, ack.getValue());
                        others.addBatch();
                        anyOther = true;
                    }
                }
                if (anyOther) {
                    others.executeBatch();
                }
                return defaults.executeBatch();
            }
        }, false);
    }

    private static Thread daemon(Runnable task, String name) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }
}
