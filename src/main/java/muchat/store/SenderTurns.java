package muchat.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The messages a group-commit lane has taken in but not written yet, one queue per
 * sender, from which batches are taken in turns: up to {@link #PER_TURN} messages of
 * each sender with something waiting, then the next round. One sender's messages keep
 * their order, but a sender with many messages waiting does not put another's single
 * message behind all of them: it goes into the next batch.
 *
 * <p>A batch also holds at most a number of inbox rows, so that a few messages to large
 * groups make a short transaction, not one the others wait seconds for. A sender whose
 * next message does not fit any more ends its turn, and the others' messages that fit
 * still go in; the batch ends when a whole round of senders found nothing that fits.
 * The first message of a batch always goes in, however many rows it has, and every
 * sender comes to the head of the turns in time, so none waits forever.
 *
 * <p>Threads: the lane's own thread only.
 */
final class SenderTurns<T> {
    /**
     * Messages of one sender taken per turn. More than one: a sender's SEND_ACKs (and its
     * partner's pushes) that commit together leave in one write, where one per turn would
     * make one system call per message. Few enough that a flood waits its turn.
     */
    static final int PER_TURN = 8;
    private final Function<T, NewMessage> messageOf;
    private final Map<Long, ArrayDeque<T>> bySender = new HashMap<>();
    /** Senders with something waiting, whose turn is next first. */
    private final ArrayDeque<Long> turns = new ArrayDeque<>();
    private int size;

    SenderTurns(Function<T, NewMessage> messageOf) {
        this.messageOf = messageOf;
    }

    void add(T item) {
        long sender = messageOf.apply(item).sender();
        ArrayDeque<T> queue = bySender.computeIfAbsent(sender, s -> new ArrayDeque<>());
        if (queue.isEmpty()) {
            turns.addLast(sender);
        }
        queue.addLast(item);
        size++;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /**
     * Moves the next batch into {@code batch}: at most {@code maxMessages} messages and,
     * unless the first alone has more, at most {@code maxRows} inbox rows.
     */
    void takeBatch(List<T> batch, int maxMessages, int maxRows) {
        int rows = 0;
        int skipped = 0; // senders in a row whose next message did not fit
        while (batch.size() < maxMessages && !turns.isEmpty() && skipped < turns.size()) {
            long sender = turns.pollFirst();
            ArrayDeque<T> queue = bySender.get(sender);
            int taken = 0;
            while (taken < PER_TURN && !queue.isEmpty() && batch.size() < maxMessages) {
                int itsRows = messageOf.apply(queue.peekFirst()).recipients().size();
                if (!batch.isEmpty() && rows + itsRows > maxRows) {
                    break; // its turn ends; it may head a later batch, where it always fits
                }
                batch.add(queue.pollFirst());
                rows += itsRows;
                size--;
                taken++;
            }
            skipped = taken == 0 ? skipped + 1 : 0;
            if (queue.isEmpty()) {
                bySender.remove(sender);
            } else {
                turns.addLast(sender);
            }
        }
    }

    /** Everything waiting, each sender's in order; leaves this empty. */
    List<T> removeAll() {
        List<T> all = new ArrayList<>(size);
        bySender.values().forEach(all::addAll);
        bySender.clear();
        turns.clear();
        size = 0;
        return all;
    }
}
