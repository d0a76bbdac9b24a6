package muchat.service;

import java.util.NavigableMap;
import java.util.TreeMap;
import muchat.net.Buffer;

/**
 * Puts one session's inbox pushes in {@code seq} order. Pushes come from several threads
 * and may overtake each other on the way (a group's slices, the cluster, a replay); the
 * cursor writes a push only when it is the next seq, holds one that came early until the
 * gap before it is filled, and drops one that was written already.
 *
 * <p>The cursor decides; its {@link Output} writes. A push is an encoded frame, or none
 * for a push that only moves the cursor (see {@link Session#push}).
 *
 * <p>Threads: one owner thread, the session's IO loop; no locks. {@link #pushedUpTo} may
 * be read from any thread as a snapshot (it may be behind by the pushes on their way).
 */
final class InboxCursor {
    /** Pushes held back behind a gap, at most; beyond that the catch-up from the database brings them. */
    static final int MAX_EARLY = 1024;
    /** Stands in {@link #early} for a push that moves the cursor without being written. */
    private static final Buffer UNSHOWN = new Buffer(0);

    /** Where the frames go. Called by the cursor's owner thread. */
    interface Output {
        /** False while the client does not take what it is sent: pushes are then left to a catch-up. */
        boolean canTakeMore();

        /** Writes a frame that delivers {@code uid}'s inbox up to {@code seq}. */
        void write(Buffer frame, long uid, long seq);
    }

    /** What {@link #offer} did with a push. */
    enum Outcome {
        /** Written, or written before, or for nobody bound here: nothing more to do. */
        DONE,
        /** Held back until the seqs before it arrive: a gap to fill if they do not. */
        HELD,
        /** Dropped because the client does not take what we send: catch up once it does. */
        FULL
    }

    private final Output output;
    /** The user whose inbox this is, 0 while none is bound. */
    private long uid;
    /** The next seq to write; volatile for {@link #pushedUpTo}, written by the owner only. */
    private volatile long nextSeq;
    /** Pushes that arrived before the ones in front of them. */
    private final NavigableMap<Long, Buffer> early = new TreeMap<>();

    InboxCursor(Output output) {
        this.output = output;
    }

    /** Starts pushing {@code uid}'s inbox after {@code acked}; pushes for anyone else are dropped. */
    void bind(long uid, long acked) {
        this.uid = uid;
        this.nextSeq = acked + 1;
        early.clear();
    }

    /** Stops pushing: every later push is dropped until the next {@link #bind}. */
    void unbind() {
        uid = 0;
        early.clear();
    }

    /**
     * Moves the cursor back to just after {@code after}, for SYNC and login replay: later
     * seqs are written again. Never forward: a client claiming more than it was given must
     * not make us skip messages that have not arrived yet.
     */
    void rewind(long after) {
        nextSeq = Math.min(nextSeq, after + 1);
    }

    /** The highest seq written so far. Any thread, as a snapshot. */
    long pushedUpTo() {
        return nextSeq - 1;
    }

    /** True if some seq before an early push has not arrived yet. */
    boolean hasGap() {
        return !early.isEmpty();
    }

    /**
     * Writes {@code frame}, the push numbered {@code seq} in {@code uid}'s inbox, if it is
     * the next one, then any early ones it unblocks; holds it if seqs before it are
     * missing; drops it, leaving it to a catch-up from the database, if the output cannot
     * take more now. A null {@code frame} moves the cursor without writing and needs no room.
     */
    Outcome offer(long uid, long seq, Buffer frame) {
        if (uid != this.uid || uid == 0 || seq < nextSeq) {
            return Outcome.DONE;
        }
        if (frame != null && !output.canTakeMore()) {
            return Outcome.FULL;
        }
        if (seq > nextSeq) {
            if (early.size() >= MAX_EARLY) {
                return Outcome.FULL; // a gap this long is filled from the database anyway
            }
            early.put(seq, frame != null ? frame : UNSHOWN);
            return Outcome.HELD;
        }
        if (frame != null) {
            output.write(frame, uid, seq);
        }
        long next = seq + 1;
        for (Buffer held; output.canTakeMore() && (held = early.remove(next)) != null; next++) {
            if (held != UNSHOWN) {
                output.write(held, uid, next);
            }
        }
        nextSeq = next;
        early.headMap(next).clear();
        return Outcome.DONE;
    }
}
