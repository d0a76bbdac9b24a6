package muchat.store;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one group-commit lane did over the last minute, logged as one line: how many
 * messages in how many batches, how long a batch's transaction took, and how long a
 * message waited from submission until its batch was committed (on H2 the checkpoint
 * that follows is not included). This is where a slow database shows first, and what
 * to read before tuning lanes or batch sizes.
 *
 * <p>Threads: the lane's own thread only.
 */
final class LaneStats {
    private static final Logger log = LoggerFactory.getLogger(LaneStats.class);
    private static final long REPORT_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String lane;
    private final Histogram batchSizes = new Histogram(2);
    private final Histogram commitMicros = new Histogram(2);
    private final Histogram waitMicros = new Histogram(2);
    private long since = System.nanoTime();

    LaneStats(String lane) {
        this.lane = lane;
    }

    /** A batch of {@code size} messages was committed in {@code nanos}. */
    void committed(int size, long nanos) {
        batchSizes.recordValue(size);
        commitMicros.recordValue(nanos / 1000);
    }

    /** One message of that batch waited {@code nanos} from submission to commit. */
    void waited(long nanos) {
        waitMicros.recordValue(nanos / 1000);
    }

    /** Logs and starts over once a minute has passed; a lane with no batches says nothing. */
    void reportIfDue(long now) {
        if (now - since < REPORT_NANOS) {
            return;
        }
        if (batchSizes.getTotalCount() > 0) {
            log.info(String.format(Locale.ROOT,
                    "%s: %,d messages in %,d batches in the last %d s; batch p50 %d p99 %d;"
                            + " commit p50 %s p99 %s; submitted to committed p50 %s p99 %s",
                    lane, waitMicros.getTotalCount(), batchSizes.getTotalCount(),
                    TimeUnit.NANOSECONDS.toSeconds(now - since), batchSizes.getValueAtPercentile(50),
                    batchSizes.getValueAtPercentile(99), millis(commitMicros, 50), millis(commitMicros, 99),
                    millis(waitMicros, 50), millis(waitMicros, 99)));
        }
        batchSizes.reset();
        commitMicros.reset();
        waitMicros.reset();
        since = now;
    }

    private static String millis(Histogram micros, double percentile) {
        return String.format(Locale.ROOT, "%.1f ms", micros.getValueAtPercentile(percentile) / 1000.0);
    }
}
