package muchat.store;

import java.util.concurrent.BlockingQueue;

/**
 * Waiting without giving up on an interrupt, for the store's own threads. Nobody should
 * interrupt them (H2 closes its file when a thread is interrupted during I/O), and a
 * close must not return before the thread has written what it holds; an interrupt of
 * the closing thread is kept for its caller.
 *
 * <p>Threads: any.
 */
final class Uninterruptibly {
    private Uninterruptibly() {
    }

    /** Waits until {@code thread} has ended. */
    static void join(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The head of {@code queue}, waiting for one. */
    static <T> T take(BlockingQueue<T> queue) {
        while (true) {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                // ignored: see the class comment; the owner stops the thread with a marker
            }
        }
    }
}
