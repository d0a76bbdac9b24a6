package muchat.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What every load thread reports to {@link ChatLoad}'s main thread, and the run's
 * timeline going the other way.
 *
 * <p>Threads: the counters are bumped by the load threads and read by the main thread;
 * {@link #start} is called once by the main thread, after every user is logged in.
 */
final class Progress {
    final AtomicLong loggedIn = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong acked = new AtomicLong();
    /** Chat requests answered with an error instead of SEND_ACK: never stored, never delivered. */
    final AtomicLong rejected = new AtomicLong();
    /** First deliveries of this run's messages (duplicates not counted). */
    final AtomicLong delivered = new AtomicLong();

    /** Legacy protocol: no SEND_ACK, so {@link #acked} stays 0. */
    private final boolean legacy;
    private volatile Schedule schedule;
    private volatile boolean finished;

    Progress(boolean legacy) {
        this.legacy = legacy;
    }

    /** Publishes the timeline; the load threads start sending at {@code schedule.start()}. */
    void start(Schedule schedule) {
        this.schedule = schedule;
    }

    /** Null until the main thread has called {@link #start}. */
    Schedule schedule() {
        return schedule;
    }

    /** Tells the load threads to acknowledge what they received, close and exit. */
    void finish() {
        finished = true;
    }

    boolean finished() {
        return finished;
    }

    /**
     * True when every sent message got an answer and every acknowledged one arrived
     * (legacy: every sent message arrived or was refused).
     */
    boolean settled() {
        if (legacy) {
            return delivered.get() + rejected.get() >= sent.get();
        }
        long ackedNow = acked.get();
        return sent.get() == ackedNow + rejected.get() && delivered.get() >= ackedNow;
    }

    /**
     * When the load runs, in {@link System#nanoTime()} units: sending from {@code start}
     * to {@code stop}, measuring from {@code measureFrom} to {@code stop}.
     */
    record Schedule(long start, long measureFrom, long stop) {

        boolean sending(long now) {
            return now >= start && now < stop;
        }

        boolean measuring(long now) {
            return now >= measureFrom && now < stop;
        }
    }
}
