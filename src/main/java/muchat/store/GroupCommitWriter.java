package muchat.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One group-commit lane: a queue and the thread that drains it. The thread takes
 * whatever is queued, forms a batch of it (up to {@value #MAX_BATCH} messages and
 * {@value #MAX_BATCH_ROWS} inbox rows, taking the senders in turns: see
 * {@link SenderTurns}), stores the batch in one transaction (see {@link BatchWriter}; a
 * message the database refuses fails alone, see {@link SplittingWriter}) and completes
 * the futures in batch order, or hands them to the {@link Checkpointer} where a commit
 * is not durable by itself. A busy server thus pays one commit for a whole batch of
 * messages, and one sender flooding a large group holds a one-to-one message back by
 * about one short batch, not by its whole flood. When fewer than {@value #SMALL_BATCH}
 * are waiting, the lane first waits {@value #COMMIT_DELAY_MILLIS} ms once for more (the
 * commit delay of PostgreSQL's {@code commit_delay} or MySQL's
 * {@code binlog_group_commit_sync_delay}): much of a commit's cost to the database is
 * per commit, not per message, so at moderate rates this trades that wait for fewer
 * commits (docs/benchmarks.md has the measurements).
 *
 * <p>Every message counts in the process's {@link Backlog} from its submission until
 * the lane has written or refused it.
 *
 * <p>Threads: {@link #submit} and {@link #close} from any thread; the rest runs on the
 * lane's own thread.
 */
final class GroupCommitWriter {
    static final int MAX_BATCH = 512;
    /**
     * Inbox rows (one per recipient) of a batch, unless its first message alone has
     * more. A one-to-one batch never reaches it; one for a 300-member group holds one
     * message (and whatever one-to-one messages fit beside it), so a message of another
     * sender waits for a short transaction, not for hundreds of the group's.
     */
    static final int MAX_BATCH_ROWS = 512;
    static final int SMALL_BATCH = 32;
    static final long COMMIT_DELAY_MILLIS = 2;

    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);
    /** Queued by close(): everything before it is written, everything after it refused. */
    private static final Pending STOP = new Pending(null, new CompletableFuture<>(), 0);

    private final SplittingWriter writer;
    private final Checkpointer checkpointer;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Backlog backlog;
    private final Thread thread;
    private volatile boolean closed;

    /** Lane thread only. */
    private final Outage outage = new Outage(log, "database writes", "refusing messages until it recovers");
    /** Lane thread only. */
    private final LaneStats stats;
    /** Lane thread only: taken from the queue, not written yet. */
    private final SenderTurns<Pending> waiting = new SenderTurns<>(Pending::message);

    /**
     * @param checkpointer what makes commits durable, or null when COMMIT is
     */
    GroupCommitWriter(BatchWriter writer, Checkpointer checkpointer, Backlog backlog, String name) {
        this.writer = new SplittingWriter(writer);
        this.backlog = backlog;
        this.checkpointer = checkpointer;
        this.stats = new LaneStats(name);
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    CompletableFuture<Stored> submit(NewMessage message) {
        CompletableFuture<Stored> future = new CompletableFuture<>();
        if (closed) {
            future.completeExceptionally(closedError());
            return future;
        }
        Pending pending = new Pending(message, future, System.nanoTime());
        backlog.added(1);
        queue.add(pending);
        // close() may have queued STOP in between; then refuse unless the lane took it.
        if (closed && queue.remove(pending)) {
            backlog.removed(1);
            future.completeExceptionally(closedError());
        }
        return future;
    }

    /** Writes everything submitted so far, then stops the thread and closes its writer. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
        Uninterruptibly.join(thread);
        writer.close();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        boolean stopping = false;
        while (!stopping || !waiting.isEmpty()) {
            if (waiting.isEmpty()) {
                stopping = takeIn(List.of(Uninterruptibly.take(queue)));
            }
            stopping = stopping || drainQueue();
            if (waiting.size() < SMALL_BATCH && !stopping) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(COMMIT_DELAY_MILLIS));
                stopping = drainQueue();
            }
            waiting.takeBatch(batch, MAX_BATCH, MAX_BATCH_ROWS);
            write(batch);
            batch.clear();
        }
        List<Pending> late = new ArrayList<>();
        queue.drainTo(late);
        fail(late, closedError());
    }

    /** Moves what is queued to {@link #waiting}; true if that met STOP. */
    private boolean drainQueue() {
        List<Pending> queued = new ArrayList<>();
        queue.drainTo(queued);
        return takeIn(queued);
    }

    /**
     * Moves {@code queued} to {@link #waiting} up to STOP, refusing what follows it.
     *
     * @return true if it held STOP
     */
    private boolean takeIn(List<Pending> queued) {
        int stop = queued.indexOf(STOP);
        queued.subList(0, stop >= 0 ? stop : queued.size()).forEach(waiting::add);
        if (stop >= 0) {
            fail(queued.subList(stop + 1, queued.size()), closedError());
        }
        return stop >= 0;
    }

    private void write(List<Pending> batch) {
        if (batch.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        List<SplittingWriter.Outcome> outcomes = writer.write(batch.stream().map(Pending::message).toList());
        backlog.removed(batch.size());
        List<Pending> stored = stored(batch, outcomes);
        Exception unavailable = writer.unavailable();
        if (unavailable != null) {
            refuseQueued(unavailable, batch.size() - stored.size());
        } else if (!stored.isEmpty()) {
            outage.recovered();
        }
        if (!stored.isEmpty()) {
            record(stored, start);
        }

        List<CompletableFuture<Stored>> futures = batch.stream().map(Pending::future).toList();
        // A batch with nothing stored has nothing to make durable: its errors go out now.
        if (checkpointer != null && !stored.isEmpty()) {
            checkpointer.add(futures, outcomes);
        } else {
            SplittingWriter.Outcome.completeAll(futures, outcomes);
        }
    }

    /** The messages of the batch that were stored. */
    private static List<Pending> stored(List<Pending> batch, List<SplittingWriter.Outcome> outcomes) {
        List<Pending> stored = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            if (outcomes.get(i).stored() != null) {
                stored.add(batch.get(i));
            }
        }
        return stored;
    }

    /**
     * What is queued behind a batch that met a broken database would meet it too: refuse
     * it now rather than after another connection timeout each.
     */
    private void refuseQueued(Exception unavailable, int refusedInBatch) {
        List<Pending> refused = waiting.removeAll();
        List<Pending> queued = new ArrayList<>();
        queue.drainTo(queued);
        if (queued.remove(STOP)) {
            queue.add(STOP);
        }
        refused.addAll(queued);
        outage.failed(unavailable, refusedInBatch + refused.size());
        fail(refused, Jdbc.error("cannot store the message: ", unavailable));
    }

    private void record(List<Pending> batch, long start) {
        long now = System.nanoTime();
        stats.committed(batch.size(), now - start);
        for (Pending p : batch) {
            stats.waited(now - p.submitted());
        }
        stats.reportIfDue(now);
    }

    /** Refuses messages that were never part of a written batch. */
    private void fail(List<Pending> pendings, StoreException error) {
        backlog.removed(pendings.size());
        for (Pending p : pendings) {
            p.future().completeExceptionally(error);
        }
    }

    static StoreException closedError() {
        return new StoreException("the message store is closed");
    }

    /** A submitted message, the future its sender waits on, and when it was submitted (nanoTime). */
    private record Pending(NewMessage message, CompletableFuture<Stored> future, long submitted) {
    }
}
