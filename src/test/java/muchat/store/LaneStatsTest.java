package muchat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The lane's once-a-minute line, as an operator reads it in the server's log. */
class LaneStatsTest {
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    private final Logger logger = (Logger) LoggerFactory.getLogger(LaneStats.class);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void capture() {
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logs);
    }

    @Test
    void aMinuteOfBatchesIsOneLineThenTheCountsStartOver() {
        LaneStats stats = new LaneStats("lane-7");
        long start = System.nanoTime();
        batch(stats, 3, 2);
        batch(stats, 1, 4);
        stats.reportIfDue(start + MINUTE / 2);
        assertEquals(List.of(), lines(), "nothing before the minute is up");

        stats.reportIfDue(start + MINUTE + 1);
        assertEquals(1, lines().size());
        String line = lines().get(0);
        assertContains(line, "lane-7: 4 messages in 2 batches in the last 60 s");
        assertContains(line, "batch p50 1 p99 3");
        assertContains(line, "commit p50 2.0 ms p99 4.0 ms");

        batch(stats, 5, 1);
        stats.reportIfDue(start + 2 * MINUTE + 2);
        assertContains(lines().get(1), "lane-7: 5 messages in 1 batches");
    }

    @Test
    void anIdleLaneSaysNothing() {
        LaneStats stats = new LaneStats("lane-idle");
        stats.reportIfDue(System.nanoTime() + 2 * MINUTE);
        assertEquals(List.of(), lines());
    }

    /** A batch of {@code size} messages committed in {@code millis}, each having waited that long. */
    private static void batch(LaneStats stats, int size, long millis) {
        long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
        stats.committed(size, nanos);
        for (int i = 0; i < size; i++) {
            stats.waited(nanos);
        }
    }

    private List<String> lines() {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static void assertContains(String line, String part) {
        if (!line.contains(part)) {
            throw new AssertionError("expected \"" + part + "\" in: " + line);
        }
    }
}
