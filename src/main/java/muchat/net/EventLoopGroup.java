package muchat.net;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * N sub-reactors, each an {@link EventLoop} running in a thread of its own (muduo's
 * EventLoopThreadPool). The acceptor asks for a loop per new connection.
 *
 * <p>Threads: {@link #next()} is called by the acceptor's loop thread; {@link #start()}
 * and {@link #shutdown()} by the owner (the TcpServer).
 */
public final class EventLoopGroup {
    /** How a new connection picks its sub-loop. */
    public enum Placement { ROUND_ROBIN, LEAST_CONNECTIONS }

    private final List<EventLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Placement placement;
    private final AtomicInteger nextIndex = new AtomicInteger();

    public EventLoopGroup(String namePrefix, int size, Placement placement) {
        if (size < 1) {
            throw new IllegalArgumentException("an event loop group needs at least one loop, got " + size);
        }
        this.placement = placement;
        for (int i = 0; i < size; i++) {
            EventLoop loop = new EventLoop(namePrefix + "-" + i);
            loops.add(loop);
            threads.add(new Thread(loop::loop, loop.name()));
        }
    }

    /** Starts one thread per loop. */
    public void start() {
        threads.forEach(Thread::start);
    }

    /** The loop for the next connection. */
    public EventLoop next() {
        if (placement == Placement.ROUND_ROBIN) {
            return loops.get(Math.floorMod(nextIndex.getAndIncrement(), loops.size()));
        }
        EventLoop best = loops.get(0);
        for (EventLoop loop : loops) {
            if (loop.connectionCount() < best.connectionCount()) {
                best = loop;
            }
        }
        return best;
    }

    public List<EventLoop> loops() {
        return List.copyOf(loops);
    }

    /** Quits every loop and waits for its thread; each loop closes the sockets it owns. */
    public void shutdown(long timeout, TimeUnit unit) throws InterruptedException {
        loops.forEach(EventLoop::quit);
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (Thread thread : threads) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
    }
}
