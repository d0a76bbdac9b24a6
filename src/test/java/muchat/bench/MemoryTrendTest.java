package muchat.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryTrendTest {

    @Test
    void growthCountsOnlyFromTheFlatPointOn() {
        MemoryTrend trend = new MemoryTrend(10);
        long[] mib = {500, 700, 900, 950, 950, 950, 950, 950, 950, 950, 960, 980, 970};
        for (int second = 0; second < mib.length; second++) {
            trend.rss(second, mib[second] * 1024);
        }
        String summary = trend.summary();
        assertTrue(summary.contains("rss_first_mib=500 "), summary);
        assertTrue(summary.contains("rss_at_flat_mib=960 "), summary);
        assertTrue(summary.contains("rss_peak_mib=980 "), summary);
        assertTrue(summary.contains("rss_growth_after_flat_mib=20 "), summary);
        assertTrue(summary.contains("rss_last_mib=970 "), summary);
        assertTrue(summary.contains("samples=13 "), summary);
    }

    @Test
    void theHeapFiguresAreThePeakAndTheLastCollection() {
        MemoryTrend trend = new MemoryTrend(10);
        List.of(100L, 340L, 120L).forEach(mib -> trend.heapAfterGc(mib * 1024));
        String summary = trend.summary();
        assertTrue(summary.contains("heap_after_gc_peak_mib=340 heap_after_gc_last_mib=120 gcs=3 "), summary);
    }

    @Test
    void aRunShorterThanTheFlatPointHasNoGrowthFigure() {
        MemoryTrend trend = new MemoryTrend(10);
        trend.rss(0, 1024);
        trend.rss(1, 2048);
        String summary = trend.summary();
        assertTrue(summary.contains("rss_at_flat_mib=- "), summary);
        assertTrue(summary.contains("rss_growth_after_flat_mib=- "), summary);
        assertTrue(summary.contains("heap_after_gc_peak_mib=- "), summary);
    }

    @Test
    void aServerThatDiedSaysWhen() {
        MemoryTrend trend = new MemoryTrend(10);
        trend.rss(0, 1024);
        trend.exited(1);
        assertTrue(trend.summary().endsWith("exited_at_s=1"), trend.summary());
        assertEquals("-", field(new MemoryTrend(10).summary(), "exited_at_s"));
    }

    private static String field(String line, String name) {
        for (String word : line.split(" ")) {
            if (word.startsWith(name + "=")) {
                return word.substring(name.length() + 1);
            }
        }
        return null;
    }
}
