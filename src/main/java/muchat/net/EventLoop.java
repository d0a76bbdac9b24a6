package muchat.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread, one {@link Selector}: the reactor at the heart of muchat ("one loop per
 * thread", as in muduo). Each iteration of {@link #loop()}
 * <ol>
 *   <li>blocks in {@code select} until a socket is ready, a timer is due or another
 *       thread queues work;</li>
 *   <li>dispatches the ready sockets to their {@link Channel}s;</li>
 *   <li>runs the timers that are due;</li>
 *   <li>swaps out the queued tasks ({@link #queueInLoop}) and runs them.</li>
 * </ol>
 *
 * <p>Threads: {@link #runInLoop}, {@link #queueInLoop}, {@link #runAfter},
 * {@link #runEvery}, {@link #cancel}, {@link #quit}, {@link #isInLoopThread},
 * {@link #name} and {@link #connectionCount} may be called from any thread; everything
 * else only from the loop thread, which is the thread that called {@link #loop()}
 * ({@link #assertInLoopThread()} checks it when assertions are on).
 */
public final class EventLoop {
    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);
    /** Size of the per-loop read buffer, as muduo's 64 KiB extra buffer in readFd. */
    private static final int READ_BUFFER_SIZE = 64 * 1024;

    private final String name;
    private final Selector selector;
    private final TimerQueue timers = new TimerQueue(this);
    private final AtomicLong timerSequence = new AtomicLong();
    private final Object taskLock = new Object();
    private List<Runnable> pendingTasks = new ArrayList<>();
    private List<Runnable> runningTasks = new ArrayList<>();
    /** True while the loop is in (or about to enter) a blocking select: only then is a wake-up needed. */
    private final AtomicBoolean mayBlock = new AtomicBoolean();
    private volatile boolean quit;
    private volatile Thread thread;
    /**
     * One read buffer for every connection of this loop (muduo reads into a 64 KiB stack
     * buffer for the same reason). A socket read lands here first and only the bytes of
     * an incomplete message are copied to the connection's own buffer, so an idle
     * connection needs no read buffer of its own.
     */
    private final Buffer readBuffer = new Buffer(READ_BUFFER_SIZE);
    /** Ciphertext scratch of this loop's TLS connections; made at the first TLS connection. */
    private TlsLayer.Scratch tlsScratch;
    /** Written by the loop thread, read by the acceptor for least-loaded placement. */
    private volatile int connectionCount;

    public EventLoop(String name) {
        this.name = name;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for loop " + name, e);
        }
    }

    public String name() {
        return name;
    }

    /**
     * Runs the loop in the calling thread until {@link #quit()}; then closes every
     * socket it owns and its selector.
     */
    public void loop() {
        if (thread != null) {
            throw new IllegalStateException("loop " + name + " is already running in " + thread.getName());
        }
        thread = Thread.currentThread();
        try {
            while (!quit) {
                select();
                timers.runExpired(System.nanoTime());
                runPendingTasks();
            }
        } finally {
            closeEverything();
        }
    }

    /** Asks the loop to stop after its current iteration. Any thread. */
    public void quit() {
        quit = true;
        if (!isInLoopThread()) {
            selector.wakeup();
        }
    }

    public boolean isInLoopThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * The first line of every loop-only method (muduo's assertInLoopThread). A Java
     * {@code assert}: tests run with assertions on and fail at the first call from a foreign
     * thread; production runs without them and pays nothing on these hot paths.
     */
    public void assertInLoopThread() {
        assert isInLoopThread() : "EventLoop " + name + " is owned by thread "
                + (thread == null ? "<not started>" : thread.getName())
                + " but was used from " + Thread.currentThread().getName();
    }

    /**
     * Runs {@code task} at once if called in the loop thread (before this call returns),
     * otherwise as {@link #queueInLoop}. Any thread.
     */
    public void runInLoop(Runnable task) {
        if (isInLoopThread()) {
            task.run();
        } else {
            queueInLoop(task);
        }
    }

    /**
     * Always queues {@code task}, never runs it inline: the loop runs queued tasks in the
     * order queued, after the IO events and timers of an iteration. A task queued by an IO
     * callback or a timer runs in the same iteration; one queued by a queued task runs in
     * the next (so tasks that queue tasks cannot starve the sockets). A loop blocked in
     * {@code select} is woken. Any thread.
     */
    public void queueInLoop(Runnable task) {
        synchronized (taskLock) {
            pendingTasks.add(task);
        }
        // Wake the selector only if the loop may be blocked in it: a loop that is busy
        // will see the task when it reaches runPendingTasks, and a wakeup is a syscall.
        if (!isInLoopThread() && mayBlock.compareAndSet(true, false)) {
            selector.wakeup();
        }
    }

    /** Runs {@code task} once after {@code delayMillis}. Any thread. */
    public TimerId runAfter(long delayMillis, Runnable task) {
        TimerId timer = TimerId.once(task, deadline(delayMillis), timerSequence.incrementAndGet());
        runInLoop(() -> timers.add(timer));
        return timer;
    }

    /** Runs {@code task} every {@code intervalMillis}, the first time after one interval. Any thread. */
    public TimerId runEvery(long intervalMillis, Runnable task) {
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("interval must be positive: " + intervalMillis);
        }
        TimerId timer = new TimerId(task, deadline(intervalMillis),
                TimeUnit.MILLISECONDS.toNanos(intervalMillis), timerSequence.incrementAndGet());
        runInLoop(() -> timers.add(timer));
        return timer;
    }

    /** Cancels a timer; a timer already running finishes, a repeating one does not repeat. Any thread. */
    public void cancel(TimerId timer) {
        runInLoop(() -> timers.cancel(timer));
    }

    /** Number of connections this loop owns; read by other threads for least-loaded placement. */
    public int connectionCount() {
        return connectionCount;
    }

    // ---- loop-thread only -------------------------------------------------------------

    /** Registers {@code socket} with this loop's selector, {@code channel} to be called back. Loop thread. */
    SelectionKey register(SelectableChannel socket, int ops, Channel channel) throws ClosedChannelException {
        assertInLoopThread();
        return socket.register(selector, ops, channel);
    }

    /** The shared read buffer, empty. Loop thread. */
    Buffer readBuffer() {
        assertInLoopThread();
        readBuffer.clear();
        return readBuffer;
    }

    /** Scratch buffers for {@link TlsLayer}, shared like {@link #readBuffer()}. Loop thread. */
    TlsLayer.Scratch tlsScratch() {
        assertInLoopThread();
        if (tlsScratch == null) {
            tlsScratch = new TlsLayer.Scratch();
        }
        return tlsScratch;
    }

    /** Counts a connection in (+1) or out (-1). Loop thread. */
    void countConnection(int delta) {
        assertInLoopThread();
        connectionCount += delta;
    }

    /** The channels registered with this loop, for sweeps such as idle checks. Loop thread. */
    List<Channel> channels() {
        assertInLoopThread();
        List<Channel> channels = new ArrayList<>(selector.keys().size());
        for (SelectionKey key : selector.keys()) {
            if (key.isValid() && key.attachment() instanceof Channel channel) {
                channels.add(channel);
            }
        }
        return channels;
    }

    private void select() {
        long timeoutNanos = timers.nanosUntilNext(System.nanoTime());
        try {
            mayBlock.set(true);
            // Re-check after announcing that we may block: a task queued before the
            // announcement did not wake us, so we must not sleep on it.
            if (hasPendingTasks() || timeoutNanos == 0 || quit) {
                selector.selectNow(this::dispatch);
            } else if (timeoutNanos < 0) {
                selector.select(this::dispatch);
            } else {
                // select takes milliseconds; round up so we never wake before the timer.
                selector.select(this::dispatch, Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999)));
            }
        } catch (IOException e) {
            log.error("select failed in loop {}: {}", name, e.toString());
        } finally {
            mayBlock.set(false);
        }
    }

    private void dispatch(SelectionKey key) {
        Channel channel = (Channel) key.attachment();
        try {
            channel.handleEvent(key.readyOps());
        } catch (RuntimeException e) {
            log.error("channel callback failed in loop {}", name, e);
        }
    }

    private boolean hasPendingTasks() {
        synchronized (taskLock) {
            return !pendingTasks.isEmpty();
        }
    }

    /**
     * Runs the tasks queued so far. They are swapped out under the lock and run outside
     * it, as muduo's doPendingFunctors: producers never wait for a task to finish, and
     * a task that queues another does not make this iteration run forever.
     */
    private void runPendingTasks() {
        synchronized (taskLock) {
            List<Runnable> swap = runningTasks;
            runningTasks = pendingTasks;
            pendingTasks = swap;
        }
        for (Runnable task : runningTasks) {
            runSafely(task);
        }
        runningTasks.clear();
    }

    private void closeEverything() {
        runPendingTasks();
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Channel channel) {
                channel.closeOnQuit();
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            log.warn("closing selector of loop {}: {}", name, e.toString());
        }
        log.debug("loop {} stopped", name);
    }

    private static long deadline(long delayMillis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMillis));
    }

    /** Runs a task or timer so that one faulty callback cannot kill the loop. */
    static void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error("task failed in loop thread {}", Thread.currentThread().getName(), e);
        }
    }
}
