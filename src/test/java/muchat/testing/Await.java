package muchat.testing;

import java.time.Duration;

/**
 * The one way tests wait for something that has no event to wait on: poll a condition,
 * with a short sleep between two looks, until it holds or a timeout passes.
 */
public final class Await {
    /** How long {@link #until(String, Condition)} waits: as long as the e2e test clients wait for a frame. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Short, so that a test goes on soon after the condition holds. */
    private static final Duration POLL_INTERVAL = Duration.ofMillis(10);

    /** A condition to poll; it may do I/O, and what it throws fails the wait. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    /** Polls until {@code condition} holds; fails, saying {@code what}, after {@link #DEFAULT_TIMEOUT}. */
    public static void until(String what, Condition condition) {
        until(what, DEFAULT_TIMEOUT, condition);
    }

    /** Polls until {@code condition} holds; fails, saying {@code what}, after {@code timeout}. */
    public static void until(String what, Duration timeout, Condition condition) {
        if (!holdsWithin(timeout, condition)) {
            throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
        }
    }

    /**
     * Polls until {@code condition} holds: true once it does, false if {@code timeout}
     * passes first, for a caller that fails in its own words (or asserts afterwards).
     */
    public static boolean holdsWithin(Duration timeout, Condition condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check(condition)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(POLL_INTERVAL);
        }
        return true;
    }

    private static boolean check(Condition condition) {
        try {
            return condition.holds();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("the condition waited for failed: " + e, e);
        }
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
    }
}
