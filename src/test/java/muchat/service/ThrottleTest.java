package muchat.service;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** TYPING to one peer goes on at most once a second; the clock is passed in, as the session does. */
class ThrottleTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long PEER = 42;
    private static final long OTHER_PEER = 43;

    @Test
    void theFirstEventPassesAndTheOthersWithinTheIntervalAreRefused() {
        Throttle throttle = new Throttle(SECOND);
        long now = 5 * SECOND;
        assertTrue(throttle.tryAcquire(PEER, now));
        assertFalse(throttle.tryAcquire(PEER, now));
        assertFalse(throttle.tryAcquire(PEER, now + SECOND - 1));
    }

    @Test
    void theNextEventPassesOnceTheIntervalHasGoneBy() {
        Throttle throttle = new Throttle(SECOND);
        long now = 5 * SECOND;
        throttle.tryAcquire(PEER, now);
        assertTrue(throttle.tryAcquire(PEER, now + SECOND));
        assertFalse(throttle.tryAcquire(PEER, now + SECOND + 1), "the interval counts from the last one let through");
    }

    @Test
    void aRefusedEventDoesNotPutOffTheNextOne() {
        Throttle throttle = new Throttle(SECOND);
        long now = 5 * SECOND;
        throttle.tryAcquire(PEER, now);
        for (long t = now; t < now + SECOND; t += SECOND / 10) {
            throttle.tryAcquire(PEER, t);
        }
        assertTrue(throttle.tryAcquire(PEER, now + SECOND), "a client typing all the time still gets one a second");
    }

    @Test
    void eachKeyHasItsOwnInterval() {
        Throttle throttle = new Throttle(SECOND);
        long now = 5 * SECOND;
        assertTrue(throttle.tryAcquire(PEER, now));
        assertTrue(throttle.tryAcquire(OTHER_PEER, now));
        assertFalse(throttle.tryAcquire(OTHER_PEER, now + 1));
    }

    @Test
    void aClockThatReadsNegativeWorksLikeAnyOther() {
        // System.nanoTime may be negative: only differences between readings count.
        Throttle throttle = new Throttle(SECOND);
        long now = -5 * SECOND;
        assertTrue(throttle.tryAcquire(PEER, now));
        assertFalse(throttle.tryAcquire(PEER, now + SECOND - 1));
        assertTrue(throttle.tryAcquire(PEER, now + SECOND));
    }

    @Test
    void cyclingThroughManyPeersDoesNotLetARecentPeerThroughEarly() {
        Throttle throttle = new Throttle(SECOND);
        long now = 5 * SECOND;
        for (long peer = 1000; peer < 1200; peer++) {
            assertTrue(throttle.tryAcquire(peer, now - SECOND));
        }
        assertTrue(throttle.tryAcquire(PEER, now));
        // Many more keys than the throttle keeps before forgetting expired ones.
        for (long peer = 2000; peer < 2200; peer++) {
            assertTrue(throttle.tryAcquire(peer, now + 1));
        }
        assertFalse(throttle.tryAcquire(PEER, now + 2), "a peer inside its interval is still refused");
        assertTrue(throttle.tryAcquire(1000, now + 2), "a peer whose interval is over passes again");
    }
}
