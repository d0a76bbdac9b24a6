package muchat.service;

import java.util.ArrayList;
import java.util.List;
import muchat.net.EventLoop;

/**
 * What one IO loop hands to the strands, collected over one iteration of the loop and
 * handed over once per strand when the iteration's IO events are done (or every
 * {@value #FLUSH_AT} tasks, whichever comes first). A strand that
 * is idle is a parked thread, and waking one is a system call on the IO thread and a
 * context switch for the strand; when the loop reads the frames of several connections
 * in one go (as it does under load), they now share that cost. A connection's tasks
 * keep their order: they all pass through its loop's one handoff.
 *
 * <p>Threads: its IO loop only.
 */
final class Handoff {
    /**
     * Hands over at once when this many tasks are waiting: a loop that reads hundreds of
     * connections in one iteration (a burst) would otherwise keep the strands idle until
     * the last one is read.
     */
    static final int FLUSH_AT = 16;

    private final EventLoop loop;
    private final Strands strands;
    /** Tasks per strand since the last {@link #flush}. */
    private final List<List<Runnable>> pending = new ArrayList<>();
    private int pendingCount;
    private boolean flushQueued;

    Handoff(EventLoop loop, Strands strands) {
        this.loop = loop;
        this.strands = strands;
        for (int i = 0; i < strands.count(); i++) {
            pending.add(new ArrayList<>());
        }
    }

    /** Runs {@code task} on the strand of {@code key}, after this loop iteration's IO events. */
    void add(long key, Runnable task) {
        loop.assertInLoopThread();
        pending.get(strands.strandOf(key)).add(task);
        if (++pendingCount >= FLUSH_AT) {
            flush();
        } else if (!flushQueued) {
            flushQueued = true;
            // Queued from the loop's own thread: it runs after this iteration's IO
            // events, in the same iteration, and wakes nothing.
            loop.queueInLoop(this::flush);
        }
    }

    private void flush() {
        flushQueued = false;
        pendingCount = 0;
        for (int strand = 0; strand < pending.size(); strand++) {
            List<Runnable> tasks = pending.get(strand);
            if (!tasks.isEmpty()) {
                pending.set(strand, new ArrayList<>());
                strands.executeAll(strand, tasks);
            }
        }
    }
}
