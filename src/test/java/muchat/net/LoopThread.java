package muchat.net;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * An {@link EventLoop} running on a thread of its own, as a test needs one: started by the
 * constructor, and {@link #close} quits it and checks that the thread is gone.
 *
 * <p>Threads: the test thread creates and closes it; the loop runs on {@link #thread()}.
 */
public final class LoopThread implements AutoCloseable {
    private final EventLoop loop;
    private final Thread thread;

    public LoopThread(String name) {
        loop = new EventLoop(name);
        thread = new Thread(loop::loop, name);
        thread.start();
    }

    public EventLoop loop() {
        return loop;
    }

    public Thread thread() {
        return thread;
    }

    @Override
    public void close() throws InterruptedException {
        loop.quit();
        thread.join(5000);
        assertFalse(thread.isAlive(), "the loop thread is gone after quit");
    }
}
