package muchat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private static final ClientAddress HOME = new ClientAddress("192.0.2.1");
    private static final ClientAddress ELSEWHERE = new ClientAddress("192.0.2.2");
    private final AtomicLong now = new AtomicLong(1_000_000);

    private LoginThrottle throttle(boolean countAddresses, int capacity) {
        return new LoginThrottle(Duration.ofSeconds(1), countAddresses, now::get, capacity);
    }

    private static void fail(LoginThrottle throttle, long account, ClientAddress address, int times) {
        for (int i = 0; i < times; i++) {
            throttle.failed(account, address);
        }
    }

    @Test
    void fiveFailuresAreFreeThenTheAccountWaitsTheBackoff() {
        LoginThrottle throttle = throttle(false, 100);
        fail(throttle, 42, HOME, 4);
        assertEquals(0, throttle.retryAfter(42, HOME));
        throttle.failed(42, HOME);
        assertEquals(1000, throttle.retryAfter(42, HOME));
        assertEquals(1000, throttle.retryAfter(42, ELSEWHERE), "the account waits from any address");
        assertEquals(0, throttle.retryAfter(43, HOME), "other accounts do not");
        now.addAndGet(400);
        assertEquals(600, throttle.retryAfter(42, HOME));
        now.addAndGet(600);
        assertEquals(0, throttle.retryAfter(42, HOME));
    }

    @Test
    void eachFurtherFailureDoublesTheWaitUpToFiveMinutes() {
        LoginThrottle throttle = throttle(false, 100);
        fail(throttle, 42, HOME, 6);
        assertEquals(2000, throttle.retryAfter(42, HOME));
        throttle.failed(42, HOME);
        assertEquals(4000, throttle.retryAfter(42, HOME));
        fail(throttle, 42, HOME, 100);
        assertEquals(LoginThrottle.MAX_BACKOFF.toMillis(), throttle.retryAfter(42, HOME));
    }

    @Test
    void aSuccessResetsTheAccount() {
        LoginThrottle throttle = throttle(false, 100);
        fail(throttle, 42, HOME, 5);
        now.addAndGet(1000);
        throttle.succeeded(42);
        fail(throttle, 42, HOME, 4);
        assertEquals(0, throttle.retryAfter(42, HOME));
    }

    @Test
    void addressesCountAcrossAccountsWhenAskedTo() {
        LoginThrottle throttle = throttle(true, 100);
        for (long account = 1; account <= 5; account++) {
            throttle.failed(account, HOME);
        }
        assertEquals(1000, throttle.retryAfter(99, HOME), "a sixth account from the same address waits");
        assertEquals(0, throttle.retryAfter(99, ELSEWHERE));
        throttle.succeeded(1);
        assertEquals(1000, throttle.retryAfter(99, HOME), "a success does not clear the address");

        LoginThrottle accountsOnly = throttle(false, 100);
        for (long account = 1; account <= 5; account++) {
            accountsOnly.failed(account, HOME);
        }
        assertEquals(0, accountsOnly.retryAfter(99, HOME));
    }

    @Test
    void unknownAccountsCountOnlyByAddress() {
        LoginThrottle throttle = throttle(true, 100);
        fail(throttle, 0, HOME, 5);
        assertEquals(0, throttle.retryAfter(0, ELSEWHERE));
        assertEquals(1000, throttle.retryAfter(0, HOME));
    }

    @Test
    void failuresAreForgottenAfterAQuietSpell() {
        LoginThrottle throttle = throttle(true, 100);
        fail(throttle, 42, HOME, 4);
        now.addAndGet(LoginThrottle.FORGET_AFTER.toMillis() + 1);
        throttle.failed(42, HOME);
        assertEquals(0, throttle.retryAfter(42, HOME));
    }

    @Test
    void theTablesStayBounded() {
        LoginThrottle throttle = throttle(false, 3);
        fail(throttle, 42, HOME, 5);
        for (long account = 100; account < 103; account++) {
            throttle.failed(account, HOME);
        }
        assertEquals(0, throttle.retryAfter(42, HOME), "the least recently used account made room");
    }

    @Test
    void aZeroBackoffTurnsTheThrottleOff() {
        LoginThrottle throttle = new LoginThrottle(Duration.ZERO, true, now::get, 100);
        fail(throttle, 42, HOME, 50);
        assertEquals(0, throttle.retryAfter(42, HOME));
    }
}
