package muchat.service;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import muchat.net.Buffer;
import muchat.net.TcpConnection;
import muchat.net.TcpConnection.ReadPause;

/**
 * Writes a legacy connection's frames one at a time, a pause apart. The classic
 * ChatClient reads with one {@code recv} of 1,024 bytes and parses only the first
 * message in it, so two messages that reach it in one read lose the second: each frame
 * must arrive on its own. A frame goes to the socket only once the kernel has taken all
 * of the previous one (the connection's write-complete callback) and {@link #PACE_MILLIS}
 * have passed since, time for the client to read it.
 *
 * <p>A frame that delivers inbox messages counts as delivered only when the kernel has
 * taken all of it: then, and not when it was queued, the {@link Delivered} callback
 * records it. Frames still waiting when the connection closes are simply dropped; the
 * next login replays their messages from the database.
 *
 * <p>At most about {@link #CAPACITY} frames wait: {@link #hasRoom} tells the session when
 * to stop handing over pushes, which then wait in the database, and while the backlog is
 * that long the connection is not read from, so a client that sends requests without
 * reading the replies is stopped by TCP instead of filling our memory.
 *
 * <p>Threads: the connection's loop (its session's output runs there), but for
 * {@link #hasRoom}, which any thread may ask as a hint.
 */
final class LegacyPacer {
    /** Time between two frames: long enough for a client that is printing the last one. */
    static final long PACE_MILLIS = 25;
    /** Frames that may wait; about six seconds of pushes at the pace. */
    static final int CAPACITY = 256;

    /** Records that {@code uid} now has every inbox message up to {@code seq}. */
    @FunctionalInterface
    interface Delivered {
        void delivered(long uid, long seq);
    }

    /** One frame to write; {@code seq} > 0 if it delivers inbox messages up to that seq. Null frame: close. */
    private record Paced(Buffer frame, long uid, long seq, Runnable closer) {
    }

    private final TcpConnection connection;
    private final Delivered delivered;
    /** Frames not yet written; loop thread. */
    private final ArrayDeque<Paced> waiting = new ArrayDeque<>();
    /** The size of {@link #waiting}: written by the loop, volatile for {@link #hasRoom}. */
    private volatile int backlog;
    /** Written to the socket, not yet all taken by the kernel; loop thread. */
    private Paced inFlight;
    /** When the pause after the last frame ends, in {@link System#nanoTime}; loop thread. */
    private long restUntil;
    /** True while a timer waits for the pause to end; loop thread. */
    private boolean wakeScheduled;
    /** True while reading is paused for the backlog; loop thread. */
    private boolean readPaused;

    LegacyPacer(TcpConnection connection, Delivered delivered) {
        this.connection = connection;
        this.delivered = delivered;
        this.restUntil = System.nanoTime(); // nanoTime may be negative: no pause before the first frame
        connection.setWriteCompleteCallback(c -> written());
    }

    /** Queues {@code frame}; {@code seq} > 0 if it delivers {@code uid}'s inbox messages up to it. */
    void send(Buffer frame, long uid, long seq) {
        enqueue(new Paced(frame, uid, seq, null));
    }

    /** Runs {@code closer} once every frame queued before has been written. */
    void closeAfterWritten(Runnable closer) {
        enqueue(new Paced(null, 0, 0, closer));
    }

    /** False once {@link #CAPACITY} frames are waiting. */
    boolean hasRoom() {
        return backlog < CAPACITY;
    }

    private void enqueue(Paced paced) {
        connection.loop().assertInLoopThread();
        waiting.add(paced);
        backlog++;
        writeNext();
    }

    /**
     * Writes the next waiting frame if none is in flight and the pause is over; a frame
     * that comes during the pause gets a timer for its end. Frames further apart than the
     * pause, the usual case, go out at once and cost no timer.
     */
    private void writeNext() {
        if (inFlight == null && !wakeScheduled && !waiting.isEmpty()) {
            long rest = restUntil - System.nanoTime();
            if (rest > 0) {
                wakeScheduled = true;
                connection.loop().runAfter(TimeUnit.NANOSECONDS.toMillis(rest) + 1, () -> {
                    wakeScheduled = false;
                    writeNext();
                });
            } else {
                backlog--;
                write(waiting.poll());
            }
        }
        pauseReadingWhileBacklogged();
    }

    /** Stops reading at {@link #CAPACITY} frames waiting, resumes below half of it. */
    private void pauseReadingWhileBacklogged() {
        int waitingNow = backlog;
        if (!readPaused && waitingNow >= CAPACITY) {
            readPaused = true;
            connection.stopRead(ReadPause.HELD_OUTPUT_FULL);
        } else if (readPaused && waitingNow < CAPACITY / 2) {
            readPaused = false;
            connection.startRead(ReadPause.HELD_OUTPUT_FULL);
        }
    }

    private void write(Paced next) {
        if (next.frame() == null) {
            next.closer().run();
            return;
        }
        inFlight = next;
        connection.send(next.frame()); // loop thread: straight to the socket; written() follows
    }

    /** Write-complete callback: the kernel has taken everything, so the frame in flight too. */
    private void written() {
        if (inFlight == null) {
            return;
        }
        if (inFlight.seq() > 0) {
            delivered.delivered(inFlight.uid(), inFlight.seq());
        }
        inFlight = null;
        restUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PACE_MILLIS);
        writeNext();
    }
}
