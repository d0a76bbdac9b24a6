package muchat.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import muchat.protocol.InboxPush;
import muchat.protocol.Json;
import muchat.protocol.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the pushes for users held by other instances, from one thread of its own: what
 * queued up while one round trip to Redis was in flight goes out in the next, as one
 * pipeline. A synchronous round trip per push on the thread that routes it would hold
 * that thread (a group-commit lane, a strand) for the whole round trip: with many
 * messages crossing instances, delivery would fall behind the group commit.
 *
 * <p>The queue is bounded. When it is full (Redis far slower than the database), a push
 * is dropped: its message is stored, and the recipient's session fetches it from the
 * database when it sees the gap or at the next sweep, as after a lost push.
 *
 * <p>Threads: {@link #add} from any thread (the group-commit lanes, and the strands for
 * a large group's slices); {@link #close} by
 * the owner; the rest on the publisher's own thread.
 */
final class ClusterPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterPublisher.class);
    static final int CAPACITY = 100_000;
    private static final int MAX_PIPELINE = 1_000;

    /**
     * A push (an inbox entry to number {@code seq}) or a signal (seq 0, see
     * {@link OtherInstances.Listener#onSignal}) before its JSON is encoded, which the publisher's
     * thread does.
     */
    private record Pending(long uid, long seq, InboxPush push, Message signal) {
        OtherInstances.Push encoded() {
            return new OtherInstances.Push(uid, seq, Json.bytes(push != null ? push.withSeq(seq) : signal));
        }
    }

    private final OtherInstances cluster;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Thread thread;
    private volatile boolean dropping;

    ClusterPublisher(OtherInstances cluster) {
        this.cluster = cluster;
        this.thread = new Thread(this::run, "muchat-redis-publisher");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues {@code message}, numbered {@code seq} in {@code uid}'s inbox, for the instance holding the user. */
    void add(long uid, long seq, InboxPush message) {
        offer(new Pending(uid, seq, message, null));
    }

    /** Queues a signal for the instance holding {@code uid}, if any. */
    void addSignal(long uid, Message signal) {
        offer(new Pending(uid, 0, null, signal));
    }

    private void offer(Pending pending) {
        if (queue.offer(pending)) {
            return;
        }
        if (!dropping) {
            dropping = true;
            log.warn("cluster pushes are {} behind; dropping pushes until they catch up"
                    + " (recipients get those messages from the database)", CAPACITY);
        }
    }

    /** Stops the thread; what is still queued is left to the database. */
    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_PIPELINE);
        try {
            while (true) {
                batch.add(queue.take());
                queue.drainTo(batch, MAX_PIPELINE - 1);
                send(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            // close(): nothing queued is lost, only late.
        }
    }

    private void send(List<Pending> batch) {
        try {
            cluster.push(batch.stream().map(Pending::encoded).toList());
        } catch (RuntimeException e) {
            if (!Thread.currentThread().isInterrupted()) { // else close() cut the call short
                log.error("cluster pushes failed; their recipients get them from the database", e);
            }
        }
        if (dropping && queue.isEmpty()) {
            dropping = false;
            log.info("cluster pushes caught up");
        }
    }
}
