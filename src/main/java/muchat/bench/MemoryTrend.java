package muchat.bench;

import java.util.Locale;

/**
 * What {@link MemorySampler} saw of a server's memory over one run, reduced to the
 * figures of the overload table: resident memory (RSS) at the start, when it should
 * have stopped growing ({@code flatAfter} seconds in), at its peak and at the end, how
 * much it grew after that point, and the largest heap left after a collection.
 *
 * <p>Threads: one thread, the sampler's.
 */
final class MemoryTrend {
    private final int flatAfter;
    private long rssFirst = -1;
    private long rssAtFlat = -1;
    private long rssPeak = -1;
    private long rssPeakAfterFlat = -1;
    private long rssLast = -1;
    private int samples;
    private long heapPeak = -1;
    private long heapLast = -1;
    private int collections;
    private int exitedAt = -1;

    /** @param flatAfter seconds into the run after which RSS should no longer grow */
    MemoryTrend(int flatAfter) {
        this.flatAfter = flatAfter;
    }

    /** The server's RSS {@code second} seconds into the run; seconds only go up. */
    void rss(int second, long kib) {
        if (rssFirst < 0) {
            rssFirst = kib;
        }
        if (second >= flatAfter) {
            if (rssAtFlat < 0) {
                rssAtFlat = kib;
            }
            rssPeakAfterFlat = Math.max(rssPeakAfterFlat, kib);
        }
        rssPeak = Math.max(rssPeak, kib);
        rssLast = kib;
        samples++;
    }

    /** The heap right after one collection. */
    void heapAfterGc(long kib) {
        heapPeak = Math.max(heapPeak, kib);
        heapLast = kib;
        collections++;
    }

    /** The server was gone {@code second} seconds into the run. */
    void exited(int second) {
        exitedAt = second;
    }

    /**
     * One line of {@code name=value} words in MiB for scripts, {@code -} for what was not
     * seen, e.g. {@code rss_first_mib=700 rss_at_flat_mib=950 rss_peak_mib=960
     * rss_growth_after_flat_mib=10 rss_last_mib=955 heap_after_gc_peak_mib=310
     * heap_after_gc_last_mib=120 gcs=85 samples=61 exited_at_s=-}.
     */
    String summary() {
        String growth = rssAtFlat < 0 ? "-" : mib(rssPeakAfterFlat - rssAtFlat);
        return String.format(Locale.ROOT,
                "rss_first_mib=%s rss_at_flat_mib=%s rss_peak_mib=%s rss_growth_after_flat_mib=%s rss_last_mib=%s"
                        + " heap_after_gc_peak_mib=%s heap_after_gc_last_mib=%s gcs=%d samples=%d exited_at_s=%s",
                mib(rssFirst), mib(rssAtFlat), mib(rssPeak), growth, mib(rssLast),
                mib(heapPeak), mib(heapLast), collections, samples, exitedAt < 0 ? "-" : Integer.toString(exitedAt));
    }

    /** KiB as whole MiB, or {@code -} for a figure never seen (-1). */
    private static String mib(long kib) {
        return kib < 0 ? "-" : Long.toString(Math.round(kib / 1024.0));
    }
}
