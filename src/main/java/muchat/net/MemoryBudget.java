package muchat.net;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * How many bytes every connection of a server holds in its buffers, together: output
 * queued for peers that have not taken it yet, and input that waits to become a whole
 * message. When the total reaches the limit the server stops reading from every
 * connection (so no new requests make new replies), and reads again once it is back
 * under three quarters of it: one greedy or slow peer cannot make the process run out
 * of memory, and TCP tells every client to wait.
 *
 * <p>Threads: {@link #add} from any thread (the loops); the callback runs on the thread
 * whose change crossed the mark, under this object's lock, so it must only queue work.
 */
final class MemoryBudget {
    private final long limit;
    private final long resumeBelow;
    private final AtomicLong used = new AtomicLong();
    private final Consumer<Boolean> overChanged;
    /** Guarded by this; volatile for the lock-free check in {@link #add}. */
    private volatile boolean over;

    /**
     * @param limit       bytes at which reading stops; Long.MAX_VALUE for no limit
     * @param overChanged told true when the limit is reached, false when back under
     */
    MemoryBudget(long limit, Consumer<Boolean> overChanged) {
        this.limit = limit;
        this.resumeBelow = limit / 4 * 3;
        this.overChanged = overChanged;
    }

    /** Counts {@code delta} more (or, negative, fewer) bytes held. */
    void add(long delta) {
        long now = used.addAndGet(delta);
        if (over ? now <= resumeBelow : now >= limit) {
            settle();
        }
    }

    long used() {
        return used.get();
    }

    /** Decides under the lock, from the total now: changes of several threads may race to here. */
    private synchronized void settle() {
        long now = used.get();
        boolean nowOver = over ? now > resumeBelow : now >= limit;
        if (nowOver != over) {
            over = nowOver;
            overChanged.accept(nowOver);
        }
    }
}
