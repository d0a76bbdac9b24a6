package muchat.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The messages a group-commit lane has taken in but not written yet, one queue per
 * sender, from which batches are taken in turns: one message of each sender with
 * something waiting, then the next round. One sender's messages keep their order, but
 * a sender with a thousand messages waiting no longer puts another's single message
 * behind all of them: it goes into the next batch.
 *
 * <p>A batch also stops at a number of inbox rows, so that a few messages to large
 * groups make a short transaction, not one the others wait seconds for. The message
 * at the head of the turns always goes in, however many rows it has, so none waits
 * forever; and the batch stops at the first that does not fit (rather than looking
 * for smaller ones behind it), so it heads the next batch.
 *
 * <p>Threads: the lane's own thread only.
 */
final class SenderTurns<T> {
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
        while (batch.size() < maxMessages && !turns.isEmpty()) {
            long sender = turns.peekFirst();
            ArrayDeque<T> queue = bySender.get(sender);
            int itsRows = messageOf.apply(queue.peekFirst()).recipients().size();
            if (!batch.isEmpty() && rows + itsRows > maxRows) {
                return;
            }
            batch.add(queue.pollFirst());
            rows += itsRows;
            size--;
            turns.pollFirst();
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
