package muchat.service;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failed logins counted per account and per client address, and the wait they earn
 * (docs/protocol.md section 6.7). The first {@link #FREE_FAILURES} failures in a row cost
 * nothing; after them, a login of that account or from that address is refused without
 * its password being checked until the backoff has passed since the last failure. The
 * backoff doubles with each further failure, up to {@link #MAX_BACKOFF}; refused logins
 * do not count. A successful login clears its account's count. An address's count, and an
 * account's that nobody logs into, is forgotten after {@link #FORGET_AFTER} without a
 * failure: longer than any backoff, so a guesser who waits out each one is never
 * forgotten. Each table holds a bounded number of keys (least recently used go first).
 *
 * <p>Threads: any thread; every method locks this object for a few map operations.
 */
final class LoginThrottle {
    static final int FREE_FAILURES = 5;
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    static final Duration FORGET_AFTER = Duration.ofMinutes(15);
    private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);

    private final long backoffMillis;
    private final boolean countAddresses;
    private final LongSupplier clockMillis;
    private final Map<Long, Failures> accounts;
    private final Map<ClientAddress, Failures> addresses;

    /**
     * @param backoff        the first wait, after {@link #FREE_FAILURES} failures; zero turns the throttle off
     * @param countAddresses whether addresses are counted too (not behind a proxy, where all clients share one)
     * @param clockMillis    the time in milliseconds
     * @param capacity       keys each table holds at most
     */
    LoginThrottle(Duration backoff, boolean countAddresses, LongSupplier clockMillis, int capacity) {
        this.backoffMillis = Math.min(backoff.toMillis(), MAX_BACKOFF.toMillis());
        this.countAddresses = countAddresses;
        this.clockMillis = clockMillis;
        this.accounts = new LruMap<>(capacity);
        this.addresses = new LruMap<>(capacity);
    }

    /**
     * Milliseconds until a login of {@code account} (0: no such account) from
     * {@code address} may be checked; 0 if it may be now.
     */
    synchronized long retryAfter(long account, ClientAddress address) {
        long now = clockMillis.getAsLong();
        long until = Math.max(waitUntil(accounts, account, now), countAddresses ? waitUntil(addresses, address, now) : 0);
        return Math.max(0, until - now);
    }

    /** A login of {@code account} (0: no such account) from {@code address} had a wrong password. */
    synchronized void failed(long account, ClientAddress address) {
        if (backoffMillis == 0) {
            return;
        }
        long now = clockMillis.getAsLong();
        if (account != 0 && count(accounts, account, now)) {
            log.warn("login throttled user={}: {} failed logins, the next is checked in {} ms", account,
                    FREE_FAILURES, backoffMillis);
        }
        if (countAddresses && count(addresses, address, now)) {
            log.warn("login throttled address={}: {} failed logins, the next is checked in {} ms", address,
                    FREE_FAILURES, backoffMillis);
        }
    }

    /** {@code account} logged in: its failures are forgotten. */
    synchronized void succeeded(long account) {
        accounts.remove(account);
    }

    /** Counts a failure of {@code key}; true if it is the one that starts the throttle. */
    private <K> boolean count(Map<K, Failures> table, K key, long now) {
        Failures failures = current(table, key, now);
        if (failures == null) {
            failures = new Failures();
            table.put(key, failures);
        }
        failures.count++;
        failures.last = now;
        return failures.count == FREE_FAILURES;
    }

    private <K> long waitUntil(Map<K, Failures> table, K key, long now) {
        Failures failures = current(table, key, now);
        return failures == null || failures.count < FREE_FAILURES ? 0 : failures.last + backoff(failures.count);
    }

    /** The failures of {@code key}, unless there are none or they are forgotten by now. */
    private static <K> Failures current(Map<K, Failures> table, K key, long now) {
        Failures failures = table.get(key);
        if (failures != null && now - failures.last > FORGET_AFTER.toMillis()) {
            table.remove(key);
            return null;
        }
        return failures;
    }

    /** The wait after {@code count} failures, {@code count >= FREE_FAILURES}. */
    private long backoff(int count) {
        // The first backoff is at most MAX_BACKOFF (under 2^19 ms): 30 doublings pass any cap, and cannot overflow.
        int doublings = Math.min(count - FREE_FAILURES, 30);
        return Math.min(MAX_BACKOFF.toMillis(), backoffMillis << doublings);
    }

    /** Failures in a row of one account or address, and when the last one was. */
    private static final class Failures {
        int count;
        long last;
    }
}
