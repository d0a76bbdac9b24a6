package muchat.client;

import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * The receiving side of docs/protocol.md section 5: which inbox seqs have been shown, so a
 * message that arrives twice is shown once, and which RECV_ACK is due. Acknowledges
 * only the highest contiguous seq shown, so a gap is never acknowledged away.
 *
 * <p>Threads: not thread-safe; {@link ClientSession} guards it.
 */
final class Inbox {
    /** Every seq up to here has been shown (or acknowledged by another session of the user). */
    private long contiguous;
    /** Seqs above {@link #contiguous} shown out of order. */
    private final TreeSet<Long> above = new TreeSet<>();
    /** The highest seq the server knows we have. */
    private long acked;

    /** Records {@code seq} as shown; false if it already was (a duplicate to drop). */
    boolean accept(long seq) {
        if (seq <= contiguous || !above.add(seq)) {
            return false;
        }
        while (above.remove(contiguous + 1)) {
            contiguous++;
        }
        return true;
    }

    /** True while some seq below a shown one is missing. */
    boolean hasGap() {
        return !above.isEmpty();
    }

    long contiguous() {
        return contiguous;
    }

    /**
     * After a login: the server knows everything up to {@code serverAcked} has arrived
     * (possibly at another session of the same user), and replays from there.
     */
    void resume(long serverAcked) {
        acked = serverAcked;
        if (serverAcked > contiguous) {
            contiguous = serverAcked;
            above.headSet(serverAcked, true).clear();
            while (above.remove(contiguous + 1)) {
                contiguous++;
            }
        }
    }

    /** The seq to send in RECV_ACK now, if the contiguous mark moved since the last one. */
    OptionalLong ackDue() {
        if (contiguous <= acked) {
            return OptionalLong.empty();
        }
        acked = contiguous;
        return OptionalLong.of(contiguous);
    }

    /** Forgets everything: another user logs in. */
    void reset() {
        contiguous = 0;
        acked = 0;
        above.clear();
    }
}
