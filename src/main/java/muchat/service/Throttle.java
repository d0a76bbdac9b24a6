package muchat.service;

import java.util.HashMap;
import java.util.Map;

/**
 * Lets through at most one event per key in each interval; the others are refused.
 * It remembers only keys seen within the last interval once it holds many, so a client
 * cycling through peers cannot grow it without bound.
 *
 * <p>Threads: one thread at a time (a session's strand).
 */
final class Throttle {
    /** Keys held before expired ones are dropped. */
    private static final int PRUNE_AT = 64;

    private final long intervalNanos;
    private final Map<Long, Long> lastPassed = new HashMap<>();

    Throttle(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /** True if an event for {@code key} at {@code nowNanos} may pass, and counts it. */
    boolean tryAcquire(long key, long nowNanos) {
        Long last = lastPassed.get(key);
        if (last != null && nowNanos - last < intervalNanos) {
            return false;
        }
        if (lastPassed.size() >= PRUNE_AT) {
            lastPassed.values().removeIf(t -> nowNanos - t >= intervalNanos);
        }
        lastPassed.put(key, nowNanos);
        return true;
    }
}
