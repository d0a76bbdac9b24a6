package muchat.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logic executor: N single-threaded strands. Work is keyed (by connection), and all
 * work of one key runs on one strand, one task after another, so a client's requests
 * are handled in the order it sent them, while different clients run in parallel.
 * Replies leave in that order too, but for a chat's SEND_ACK, which follows its group
 * commit (see {@link ChatService}). Business logic never runs on an IO thread.
 *
 * <p>Threads: {@link #execute}, {@link #executeOn}, {@link #strandOf} and
 * {@link #executeAll} from any thread; {@link #drain} and {@link #shutdown} from the owner.
 */
public final class Strands {
    private static final Logger log = LoggerFactory.getLogger(Strands.class);

    private final List<ExecutorService> strands = new ArrayList<>();

    public Strands(int count) {
        for (int i = 0; i < count; i++) {
            String name = "muchat-logic-" + i;
            strands.add(Executors.newSingleThreadExecutor(task -> new Thread(task, name)));
        }
    }

    /** How many strands there are. */
    int count() {
        return strands.size();
    }

    /** The strand of {@code key}, 0 to count() - 1: always the same one for the same key. */
    int strandOf(long key) {
        return (int) Math.floorMod(key, (long) strands.size());
    }

    /** Runs {@code task} on the strand of {@code key}; dropped with a log line once shut down. */
    public void execute(long key, Runnable task) {
        submit(strandOf(key), () -> runSafely(task));
    }

    /** Runs {@code task} on {@code strand} (0 to count() - 1), after what is queued there. */
    void executeOn(int strand, Runnable task) {
        submit(strand, () -> runSafely(task));
    }

    /**
     * Runs {@code tasks} on {@code strand}, in their order, as one task: one wake-up of
     * the strand's thread instead of one each.
     */
    void executeAll(int strand, List<Runnable> tasks) {
        submit(strand, () -> tasks.forEach(Strands::runSafely));
    }

    /**
     * Waits until every task queued before this call has run (tasks they queue may still
     * be waiting), or until {@code timeout}.
     */
    public void drain(long timeout, TimeUnit unit) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(strands.size());
        for (int strand = 0; strand < strands.size(); strand++) {
            submit(strand, done::countDown);
        }
        if (!done.await(timeout, unit)) {
            log.warn("strands still busy after {} {}", timeout, unit.toString().toLowerCase());
        }
    }

    /** Lets queued work finish, then stops the threads. */
    public void shutdown(long timeout, TimeUnit unit) throws InterruptedException {
        strands.forEach(ExecutorService::shutdown);
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (ExecutorService strand : strands) {
            strand.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private void submit(int strand, Runnable task) {
        try {
            strands.get(strand).execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("strands stopped; dropping work for strand {}", strand);
        }
    }

    /** One failing task must not take the others queued with it, or the strand, down. */
    private static void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error("logic task failed", e);
        }
    }
}
