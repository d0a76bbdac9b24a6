package muchat.service;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most N registrations per client address and hour (docs/protocol.md section 6.7): a
 * token bucket per address that holds N and refills N an hour, so an address may
 * register N accounts at once and then one every hour / N. Every REG takes a token,
 * whether its name turns out to be free or not: each costs a password hash. The table
 * holds a bounded number of addresses (least recently used go first).
 *
 * <p>Threads: any thread; {@link #take} locks this object for a few map operations.
 */
final class RegistrationLimit {
    private static final Logger log = LoggerFactory.getLogger(RegistrationLimit.class);
    private static final long HOUR_MILLIS = Duration.ofHours(1).toMillis();

    private final int perHour;
    private final LongSupplier clockMillis;
    private final Map<ClientAddress, Bucket> buckets;

    /** {@code perHour} 0: no limit. */
    RegistrationLimit(int perHour, LongSupplier clockMillis, int capacity) {
        this.perHour = perHour;
        this.clockMillis = clockMillis;
        this.buckets = new LruMap<>(capacity);
    }

    /**
     * Takes a registration for {@code address}: 0 if it may go ahead, else the
     * milliseconds until it may try again (nothing is taken then).
     */
    synchronized long take(ClientAddress address) {
        if (perHour == 0) {
            return 0;
        }
        long now = clockMillis.getAsLong();
        Bucket bucket = buckets.computeIfAbsent(address, a -> new Bucket(perHour, now));
        // Tokens are counted in milli-tokens per hour: perHour tokens = perHour * HOUR_MILLIS.
        bucket.fill = Math.min((long) perHour * HOUR_MILLIS, bucket.fill + (now - bucket.at) * perHour);
        bucket.at = now;
        if (bucket.fill >= HOUR_MILLIS) {
            bucket.fill -= HOUR_MILLIS;
            bucket.refused = false;
            return 0;
        }
        if (!bucket.refused) {
            bucket.refused = true;
            log.warn("registrations refused address={}: over {} an hour", address, perHour);
        }
        return (HOUR_MILLIS - bucket.fill + perHour - 1) / perHour;
    }

    /** What is left of one address's hour; {@code fill} is HOUR_MILLIS per token. */
    private static final class Bucket {
        long fill;
        long at;
        /** Whether the refusals of this episode were logged. */
        boolean refused;

        Bucket(int perHour, long now) {
            this.fill = (long) perHour * HOUR_MILLIS;
            this.at = now;
        }
    }
}
