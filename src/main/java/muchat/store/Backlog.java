package muchat.store;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many messages wait for the group commit, over all lanes of a process, and the
 * signal that they are too many: {@link MessageStore.BacklogListener#backlogged} with
 * true once the count reaches the high mark, and with false once it is back at the low
 * mark (half the high mark), so the signal does not flap around one value. A message
 * counts from its submission until its lane has written it (or refused it).
 *
 * <p>The signal is advice: nothing is refused at the mark. Whoever submits is expected
 * to stop taking in new work while it is on (the server stops reading its connections),
 * so the backlog overshoots the mark by at most what was already read.
 *
 * <p>Threads: {@link #added} from any thread (the submitters), {@link #removed} from
 * the lanes, {@link #watch} from any thread. A submission costs one atomic add; the
 * signal's state changes under this object's monitor, which a lane takes once a batch,
 * and the listener is called with it held, so its calls are never reordered: they must
 * be short and must not call into the store.
 */
final class Backlog {
    static final int DEFAULT_HIGH_MARK = 10_000;
    private static final Logger log = LoggerFactory.getLogger(Backlog.class);

    private final AtomicLong waiting = new AtomicLong();
    private volatile long highMark = DEFAULT_HIGH_MARK;
    private volatile boolean over;
    /** Guarded by this. */
    private MessageStore.BacklogListener listener = backlogged -> { };

    /** Sets the high mark (the low mark is half of it) and who is told; replaces the earlier listener. */
    synchronized void watch(long highMark, MessageStore.BacklogListener listener) {
        if (highMark < 2) {
            throw new IllegalArgumentException("the backlog's high mark must be at least 2, got " + highMark);
        }
        this.highMark = highMark;
        this.listener = listener;
        update();
    }

    void added(int messages) {
        if (waiting.addAndGet(messages) >= highMark && !over) {
            update();
        }
    }

    /**
     * Looks at the signal every time (a lane calls this once a batch): a submitter that
     * saw the signal on just before it went off may have skipped the update, and while
     * anything waits, this is the call that comes next.
     */
    void removed(int messages) {
        waiting.addAndGet(-messages);
        update();
    }

    long waiting() {
        return waiting.get();
    }

    private synchronized void update() {
        long now = waiting.get();
        boolean next = over ? now > highMark / 2 : now >= highMark;
        if (next == over) {
            return;
        }
        over = next;
        if (next) {
            log.warn("group commit backlog at {} messages (high mark {}): take in no more until it drains",
                    now, highMark);
        } else {
            log.info("group commit backlog down to {} messages (low mark {})", now, highMark / 2);
        }
        listener.backlogged(next);
    }
}
