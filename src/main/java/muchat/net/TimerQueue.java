package muchat.net;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The timers of one {@link EventLoop}, kept in a heap ordered by expiration (ties by
 * creation order), with no thread of their own: the loop asks {@link #nanosUntilNext}
 * how long it may block in {@code select}, and calls {@link #runExpired} after each
 * wake-up. Cancelled timers are only marked; they are dropped when they reach the top,
 * which keeps cancel O(1).
 *
 * <p>Threads: loop thread only, each method checks (the loop hops foreign calls over
 * with runInLoop).
 */
final class TimerQueue {
    private final PriorityQueue<TimerId> heap = new PriorityQueue<>(
            Comparator.<TimerId>comparingLong(t -> t.expirationNanos).thenComparingLong(t -> t.sequence));
    private final List<TimerId> expired = new ArrayList<>();
    private final EventLoop loop;

    TimerQueue(EventLoop loop) {
        this.loop = loop;
    }

    void add(TimerId timer) {
        loop.assertInLoopThread();
        heap.add(timer);
    }

    void cancel(TimerId timer) {
        loop.assertInLoopThread();
        timer.cancelled = true;
    }

    /** Nanoseconds until the earliest live timer, or -1 if there is none. */
    long nanosUntilNext(long now) {
        loop.assertInLoopThread();
        dropCancelledAtTop();
        TimerId first = heap.peek();
        return first == null ? -1 : Math.max(0, first.expirationNanos - now);
    }

    /** Runs every timer due at {@code now}, in expiration order, and re-arms repeating ones. */
    void runExpired(long now) {
        loop.assertInLoopThread();
        while (!heap.isEmpty() && heap.peek().expirationNanos - now <= 0) {
            expired.add(heap.poll());
        }
        for (TimerId timer : expired) {
            if (timer.cancelled) {
                continue;
            }
            EventLoop.runSafely(timer.task);
            // A repeating timer may have cancelled itself from its own task.
            if (timer.repeats() && !timer.cancelled) {
                timer.expirationNanos = now + timer.intervalNanos;
                heap.add(timer);
            }
        }
        expired.clear();
    }

    private void dropCancelledAtTop() {
        while (!heap.isEmpty() && heap.peek().cancelled) {
            heap.poll();
        }
    }
}
