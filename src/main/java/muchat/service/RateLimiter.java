package muchat.service;

/**
 * A token bucket: {@code perSecond} requests a second on average, bursts up to twice
 * that. Protects the server and other users from one client flooding chat messages
 * (errno 17).
 *
 * <p>Threads: one session's strand at a time (synchronized for safety on a kick race).
 */
final class RateLimiter {
    private final double perNano;
    private final double capacity;
    private double tokens;
    private long last = System.nanoTime();

    RateLimiter(int perSecond) {
        this.perNano = perSecond / 1e9;
        this.capacity = 2.0 * perSecond;
        this.tokens = capacity;
    }

    /** Takes one token if there is one. */
    synchronized boolean tryAcquire() {
        long now = System.nanoTime();
        tokens = Math.min(capacity, tokens + (now - last) * perNano);
        last = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
