package muchat.store;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second stage of H2's group commit (only H2's: see {@link Dialect#afterCommit}): it
 * makes committed batches durable (CHECKPOINT SYNC, a write and an fsync, see
 * {@link Jdbc#makeDurable()}) on
 * a thread of its own, and only then completes their futures, so no SEND_ACK leaves
 * before its message is on the disk. While one checkpoint writes, the lane is already
 * storing the next batch, and the next checkpoint covers every batch committed
 * meanwhile: the lane never waits for the file.
 *
 * <p>Threads: {@link #add} from the lane threads, {@link #close} after the lanes are
 * closed; the rest runs on its own thread.
 */
final class Checkpointer {
    private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);
    private static final Committed STOP = new Committed(List.of(), List.of());

    private final Jdbc jdbc;
    private final BlockingQueue<Committed> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final Outage outage = // own thread only
            new Outage(log, "database checkpoint", "refusing messages until it recovers");

    Checkpointer(Jdbc jdbc) {
        this.jdbc = jdbc;
        this.thread = new Thread(this::run, "muchat-db-checkpoint");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Completes each future with its outcome once the batch is durable, in the order
     * added; a refused message fails in its place in that order.
     */
    void add(List<CompletableFuture<Stored>> futures, List<SplittingWriter.Outcome> outcomes) {
        queue.add(new Committed(futures, outcomes));
    }

    /** Makes everything added so far durable, completes it, and stops the thread. */
    void close() {
        queue.add(STOP);
        Uninterruptibly.join(thread);
    }

    private void run() {
        List<Committed> batches = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            batches.add(Uninterruptibly.take(queue));
            queue.drainTo(batches);
            stopping = batches.removeIf(b -> b == STOP);
            if (!batches.isEmpty()) {
                checkpoint(batches);
            }
            batches.clear();
        }
    }

    private void checkpoint(List<Committed> batches) {
        try {
            jdbc.makeDurable();
        } catch (SQLException | RuntimeException e) {
            // The batches are committed but may not be on disk: no SEND_ACK for them. A
            // client resends by cmid and gets the stored message back as a duplicate.
            outage.failed(e, batches.stream().mapToInt(b -> b.futures().size()).sum());
            StoreException error = Jdbc.error("cannot make the message durable: ", e);
            batches.forEach(b -> SplittingWriter.Outcome.completeAll(b.futures(),
                    b.outcomes().stream().map(o -> o.orFailWith(error)).toList()));
            return;
        }
        outage.recovered();
        batches.forEach(b -> SplittingWriter.Outcome.completeAll(b.futures(), b.outcomes()));
    }

    /** A committed batch: its futures and, in the same order, what they complete with. */
    private record Committed(List<CompletableFuture<Stored>> futures, List<SplittingWriter.Outcome> outcomes) {
    }
}
