package muchat.net;

/**
 * A handle to a timer created by {@link EventLoop#runAfter} or {@link EventLoop#runEvery},
 * used only to {@link EventLoop#cancel cancel} it.
 *
 * <p>Threads: the handle may be passed to any thread; its state is touched only by the
 * loop that created it.
 */
public final class TimerId {
    private static final long NOT_REPEATING = 0;

    final Runnable task;
    final long intervalNanos;
    final long sequence;
    long expirationNanos;
    boolean cancelled;

    TimerId(Runnable task, long expirationNanos, long intervalNanos, long sequence) {
        this.task = task;
        this.expirationNanos = expirationNanos;
        this.intervalNanos = intervalNanos;
        this.sequence = sequence;
    }

    static TimerId once(Runnable task, long expirationNanos, long sequence) {
        return new TimerId(task, expirationNanos, NOT_REPEATING, sequence);
    }

    boolean repeats() {
        return intervalNanos != NOT_REPEATING;
    }
}
