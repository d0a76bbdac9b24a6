package muchat.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection, owned by exactly one {@link EventLoop}.
 *
 * <p>Threads: {@link #send}, {@link #shutdown}, {@link #forceClose}, {@link #stopRead},
 * {@link #startRead}, {@link #runWhenOutputDrained}, {@link #isOutputFull}, the getters
 * and the context may be used from any thread; the setters before the connection is
 * established or in its loop; everything else runs in the owning loop, and checks it
 * ({@link EventLoop#assertInLoopThread}).
 *
 * <p>Input: the loop reads into its shared read buffer; when the message callback
 * leaves an incomplete message behind, those bytes move to this connection's own
 * {@link Buffer}, which is released again once it is drained. Output: a send from the
 * loop thread writes straight to the socket when nothing is queued; only what the
 * kernel does not take is queued, and only then is OP_WRITE registered. Sends from
 * other threads are collected and written by one loop task per burst. Queued buffers go
 * out with gathering writes.
 *
 * <p>TLS plugs in at one place, the socket calls ({@code readSocket}, {@code writeSocket},
 * {@code shutdownSocketOutput}, {@code wantsWrite}): without TLS they are the plain socket
 * calls; with it a {@link TlsLayer} turns ciphertext into plaintext on the way in and back
 * on the way out, so the buffers, the callbacks and every limit above see plaintext. The
 * output limit and the high-water mark count plaintext queued; the memory budget counts
 * that plus the ciphertext the TLS layer holds (an incomplete record, records the kernel
 * did not take).
 *
 * <p>Lifecycle: CONNECTING, CONNECTED, DISCONNECTING (after {@link #shutdown} or
 * {@link #forceClose}), DISCONNECTED. The state is read from any thread (every send checks
 * it) and changes in three ways only: to CONNECTED once registered, in the loop; from
 * CONNECTED to DISCONNECTING by a compare-and-set, in any thread, so that a shutdown or a
 * close called elsewhere can never overwrite DISCONNECTED; and to DISCONNECTED, for good,
 * when the loop closes the socket.
 */
public final class TcpConnection implements Channel {
    private static final Logger log = LoggerFactory.getLogger(TcpConnection.class);
    /** Most buffers handed to one gathering write (Linux IOV_MAX is 1024; this is plenty). */
    private static final int MAX_GATHER = 64;
    /**
     * The array of a gathering write, one per loop thread and shared by that loop's
     * connections: they write one at a time, and an idle connection holds none.
     */
    private static final ThreadLocal<ByteBuffer[]> GATHER_ARRAY =
            ThreadLocal.withInitial(() -> new ByteBuffer[MAX_GATHER]);

    /** Where a connection is in its life. */
    public enum State { CONNECTING, CONNECTED, DISCONNECTING, DISCONNECTED }

    /**
     * Why reading is paused (muduo's stopRead, Netty's autoRead off). Each reason is held
     * and released on its own; the connection reads again once none is held. While it
     * does not read, the kernel's receive buffer fills and TCP slows the sender down.
     */
    public enum ReadPause {
        /** The peer sends faster than its allowed rate. */
        SHAPING(false),
        /** The peer has sent as many requests as may wait to be handled. */
        REQUEST_BACKLOG(false),
        /**
         * More output is queued for the peer than its limit: no new requests (which make
         * new replies) until it reads. Held and released by the connection itself.
         */
        OUTPUT_FULL(true),
        /** The layer above holds as much output for the peer as it may (e.g. paced frames). */
        HELD_OUTPUT_FULL(true),
        /** Every connection: the server's buffers together reached their memory budget. */
        MEMORY(false),
        /** Every connection: work the server accepted is not done yet (e.g. its storage is behind). */
        SERVER_BUSY(false),
        /** Every connection: the server is stopping and takes no new requests. */
        SHUTDOWN(false);

        /**
         * True if the peer causes it by not reading. The others keep a peer waiting on us,
         * so the idle timeout does not run while they hold (see {@link #isIdleTimeoutPaused}).
         */
        final boolean peerNotReading;

        ReadPause(boolean peerNotReading) {
            this.peerNotReading = peerNotReading;
        }
    }

    private final EventLoop loop;
    private final long id;
    private final SocketChannel socket;
    private final InetSocketAddress peer;
    /** Null for a plaintext connection. */
    private final TlsLayer tls;
    private SelectionKey key;
    /** See "Lifecycle" in the class comment: read from any thread, changed only as it says. */
    private final AtomicReference<State> state = new AtomicReference<>(State.CONNECTING);
    private volatile Object context;

    private final Buffer input = new Buffer();
    /** True while the message callback runs. Loop thread. */
    private boolean inMessageCallback;
    private ArrayDeque<ByteBuffer> output;
    /**
     * Sent from other threads, not yet moved to {@link #output}: null when empty, so an
     * idle connection pays nothing for it. Guarded by {@code this}; see {@link #sendFromForeignThread}.
     */
    private ArrayList<ByteBuffer> foreignSends;
    /** Bytes in {@link #foreignSends}; written under {@code this}, volatile for {@link #isOutputFull}. */
    private volatile long foreignSendBytes;
    /** Written by the loop thread only; volatile so that others can see how full the output is. */
    private volatile long queuedBytes;
    /** Reading pauses while {@link #queuedBytes} is above this, until it is back under half. */
    private long outputLimit = Long.MAX_VALUE;
    /** Counts this connection's buffered bytes in the server's total; null for none. */
    private MemoryBudget budget;
    /** Bytes of an incomplete message kept in {@link #input} (and TLS ciphertext held), as counted in the budget. */
    private long inputCounted;
    private boolean peerClosed;
    /** Tasks of {@link #runWhenOutputDrained} waiting for the output to drain; loop thread. */
    private ArrayList<Runnable> drainedTasks;
    /** Reasons reading is paused now; the socket is read only while there is none. */
    private final EnumSet<ReadPause> readPauses = EnumSet.noneOf(ReadPause.class);
    /** When the message callback last consumed input: what the idle timeout measures. */
    private long lastActiveNanos = System.nanoTime();
    private boolean idleTimeoutExempt;

    private Callbacks.ConnectionCallback connectionCallback = Callbacks.NO_CONNECTION_CALLBACK;
    private Callbacks.MessageCallback messageCallback = Callbacks.DISCARD;
    private Callbacks.WriteCompleteCallback writeCompleteCallback;
    private Callbacks.HighWaterMarkCallback highWaterMarkCallback;
    /** Set together with {@link #highWaterMarkCallback}; without the callback it has no use, so no default. */
    private long highWaterMark;
    private Callbacks.ConnectionCallback closeCallback = Callbacks.NO_CONNECTION_CALLBACK;

    /** {@code tlsEngine}: null for plaintext, or the engine that speaks TLS on this socket. */
    TcpConnection(EventLoop loop, long id, SocketChannel socket, SSLEngine tlsEngine) throws IOException {
        this.loop = loop;
        this.id = id;
        this.socket = socket;
        SocketAddress remote = socket.getRemoteAddress();
        this.peer = remote instanceof InetSocketAddress inet ? inet : null;
        this.tls = tlsEngine == null ? null : new TlsLayer(loop, socket, tlsEngine);
    }

    // ---- getters: any thread -------------------------------------------------------------

    public long id() {
        return id;
    }

    public EventLoop loop() {
        return loop;
    }

    public State state() {
        return state.get();
    }

    public boolean isConnected() {
        return state.get() == State.CONNECTED;
    }

    /**
     * True while more output waits for the peer than its limit (a moment ago), counting
     * what other threads have sent and the loop has not yet queued. Any thread.
     */
    public boolean isOutputFull() {
        return queuedBytes + foreignSendBytes > outputLimit;
    }

    /** The peer as {@code ip:port}, for logs. */
    public String peerAddress() {
        return peer == null ? "?" : peer.getAddress().getHostAddress() + ":" + peer.getPort();
    }

    /** The peer's IP address, for limits per client address; null if unknown. */
    public InetAddress peerIp() {
        return peer == null ? null : peer.getAddress();
    }

    /** Whatever the layer above keeps with this connection (muduo's context). */
    public Object context() {
        return context;
    }

    public void setContext(Object context) {
        this.context = context;
    }

    @Override
    public String toString() {
        return "conn=" + id + " peer=" + peerAddress();
    }

    // ---- sending: any thread ---------------------------------------------------------------

    /**
     * Sends a copy of {@code data}; the caller may reuse the array at once. Like every
     * send, it is dropped unless the connection is CONNECTED when called: bytes sent
     * before {@link #shutdown} still go out, bytes sent after it do not.
     */
    public void send(byte[] data) {
        if (state.get() != State.CONNECTED) {
            return;
        }
        if (loop.isInLoopThread()) {
            sendInLoop(ByteBuffer.wrap(data));
        } else {
            sendFromForeignThread(ByteBuffer.wrap(data.clone()));
        }
    }

    /**
     * Sends everything readable in {@code data} and leaves it empty. From a foreign thread
     * its array is detached and queued without copying, so the buffer must not be shared.
     */
    public void send(Buffer data) {
        if (state.get() != State.CONNECTED) {
            data.skip(data.readableBytes());
            return;
        }
        if (loop.isInLoopThread()) {
            ByteBuffer view = ByteBuffer.wrap(data.array(), data.readerIndex(), data.readableBytes());
            sendInLoop(view);
            data.skip(data.readableBytes());
        } else {
            sendFromForeignThread(data.detach());
        }
    }

    /**
     * Half-closes: once everything queued has been written, the write side of the socket
     * is shut down. The peer's remaining input is still read. Any thread.
     */
    public void shutdown() {
        if (state.compareAndSet(State.CONNECTED, State.DISCONNECTING)) {
            loop.runInLoop(this::shutdownOutputIfDrained);
        }
    }

    /**
     * The end of a graceful stop: from now on input is read only to be discarded (so the
     * peer's close is seen, and unread input does not make the kernel answer with a reset
     * that could destroy what we wrote), and the connection half-closes once its output
     * is written. Loop thread.
     */
    void closeGracefully() {
        loop.assertInLoopThread();
        messageCallback = Callbacks.DISCARD;
        readPauses.clear();
        resumeReading();
        shutdown();
    }

    /** Closes now, dropping whatever is still queued. Any thread. */
    public void forceClose() {
        if (state.compareAndSet(State.CONNECTED, State.DISCONNECTING) || state.get() == State.DISCONNECTING) {
            loop.queueInLoop(this::handleClose);
        }
    }

    /**
     * Runs {@code task} on the loop once everything sent before this call has been taken
     * by the kernel (as soon as the loop gets to it if nothing waits); never if the
     * connection closes first. Any thread.
     */
    public void runWhenOutputDrained(Runnable task) {
        // Queued, not run inline: a send from another thread just before queued its flush first.
        loop.queueInLoop(() -> {
            if (state.get() == State.DISCONNECTED) {
                return;
            }
            if (!hasQueuedOutput()) {
                task.run();
                return;
            }
            if (drainedTasks == null) {
                drainedTasks = new ArrayList<>(1);
            }
            drainedTasks.add(task);
        });
    }

    /** Stops reading for {@code reason} until {@link #startRead} with the same reason. Any thread. */
    public void stopRead(ReadPause reason) {
        loop.runInLoop(() -> {
            readPauses.add(reason);
            updateInterest();
        });
    }

    /**
     * Releases {@code reason}; reading resumes once no other reason holds it, starting
     * with input the message callback left unconsumed while paused. Any thread.
     */
    public void startRead(ReadPause reason) {
        loop.runInLoop(() -> {
            readPauses.remove(reason);
            resumeReading();
        });
    }

    /**
     * False while reading is paused: a message callback stops consuming input then, and
     * what it leaves waits in this connection until reading resumes. Loop thread.
     */
    public boolean isReading() {
        loop.assertInLoopThread();
        return readPauses.isEmpty();
    }

    // ---- configuration: before connectEstablished, or in the loop (assertConfigurable) ----------

    void setConnectionCallback(Callbacks.ConnectionCallback callback) {
        assertConfigurable();
        this.connectionCallback = callback;
    }

    void setMessageCallback(Callbacks.MessageCallback callback) {
        assertConfigurable();
        this.messageCallback = callback;
    }

    /** Also from the loop thread later on, e.g. once the protocol knows it must pace its writes. */
    public void setWriteCompleteCallback(Callbacks.WriteCompleteCallback callback) {
        assertConfigurable();
        this.writeCompleteCallback = callback;
    }

    void setHighWaterMarkCallback(Callbacks.HighWaterMarkCallback callback, long highWaterMark) {
        assertConfigurable();
        this.highWaterMarkCallback = callback;
        this.highWaterMark = highWaterMark;
    }

    void setOutputLimit(long bytes) {
        assertConfigurable();
        this.outputLimit = bytes;
    }

    void setMemoryBudget(MemoryBudget budget) {
        assertConfigurable();
        this.budget = budget;
    }

    void setCloseCallback(Callbacks.ConnectionCallback callback) {
        assertConfigurable();
        this.closeCallback = callback;
    }

    // ---- loop thread -------------------------------------------------------------------------

    /** Registers for reading and announces the connection. Loop thread. */
    void connectEstablished() throws IOException {
        loop.assertInLoopThread();
        key = loop.register(socket, SelectionKey.OP_READ, this);
        if (tls != null) {
            tls.start();
        }
        state.set(State.CONNECTED); // from CONNECTING, which nothing else changes
        updateInterest(); // reading may be paused already (see TcpServer#pauseAll)
        loop.countConnection(+1);
        connectionCallback.onConnection(this);
    }

    /**
     * Nanosecond time the message callback last consumed input, for idle sweeps: bytes
     * that only start a message (a peer trickling a frame) do not count. Loop thread.
     */
    long lastActiveNanos() {
        loop.assertInLoopThread();
        return lastActiveNanos;
    }

    /**
     * True while reading is paused for a reason of ours, not the peer's: a peer we do
     * not read from cannot send a frame, so its silence does not count then. Loop thread.
     */
    boolean isIdleTimeoutPaused() {
        loop.assertInLoopThread();
        for (ReadPause pause : readPauses) {
            if (!pause.peerNotReading) {
                return true;
            }
        }
        return false;
    }

    /** True if the server's idle timeout does not apply (see {@link #keepAliveInsteadOfIdleTimeout}). */
    boolean isIdleTimeoutExempt() {
        loop.assertInLoopThread();
        return idleTimeoutExempt;
    }

    /**
     * For peers that may stay silent for good (a client without heartbeats): the idle
     * timeout no longer applies, and TCP keepalive probes find a dead peer instead, after
     * {@code idle} without traffic and {@code probes} unanswered probes {@code interval}
     * apart. Loop thread.
     */
    public void keepAliveInsteadOfIdleTimeout(Duration idle, Duration interval, int probes) {
        loop.assertInLoopThread();
        idleTimeoutExempt = true;
        try {
            socket.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            if (socket.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPIDLE)) {
                socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, (int) idle.toSeconds());
                socket.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, (int) interval.toSeconds());
                socket.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, probes);
            }
        } catch (IOException e) {
            log.debug("{} keepalive: {}", this, e.toString());
        }
    }

    @Override
    public void handleEvent(int readyOps) {
        loop.assertInLoopThread();
        if ((readyOps & SelectionKey.OP_READ) != 0) {
            handleRead();
        }
        if ((readyOps & SelectionKey.OP_WRITE) != 0 && state.get() != State.DISCONNECTED) {
            handleWrite();
        }
    }

    @Override
    public void closeOnQuit() {
        loop.assertInLoopThread();
        handleClose();
    }

    private void handleRead() {
        Buffer readBuffer = loop.readBuffer();
        int n;
        try {
            n = readSocket(readBuffer);
        } catch (SSLException e) {
            // Not TLS (a plaintext client on a TLS port) or a failed handshake: one line, no trace.
            log.info("closed {} reason=tls error=\"{}\"", this, e.getMessage());
            handleClose();
            return;
        } catch (IOException e) {
            handleError("read", e);
            return;
        }
        if (n > 0) {
            passToMessageCallback(readBuffer, n);
        } else {
            countInput(); // TLS: a record may have arrived in part
        }
        if (n < 0 || (tls != null && tls.isInboundDone())) {
            handlePeerClosed(); // TLS: the peer said close_notify, perhaps after its last bytes
        }
    }

    /** Hands the {@code n} bytes just read into {@code readBuffer} to the message callback. */
    private void passToMessageCallback(Buffer readBuffer, int n) {
        int consumed;
        if (input.isReadable()) {
            // An incomplete message is waiting: the new bytes continue it.
            input.append(readBuffer.array(), readBuffer.readerIndex(), readBuffer.readableBytes());
            int before = input.readableBytes();
            callMessageCallback(input);
            consumed = before - input.readableBytes();
        } else {
            // The common case: parse straight from the loop's buffer, no copy.
            callMessageCallback(readBuffer);
            consumed = n - readBuffer.readableBytes();
            if (readBuffer.isReadable()) {
                input.append(readBuffer.array(), readBuffer.readerIndex(), readBuffer.readableBytes());
            }
        }
        if (consumed > 0) {
            lastActiveNanos = System.nanoTime(); // the callback took at least one message
        }
        // Keep memory only while an incomplete message is waiting.
        input.release();
        countInput();
    }

    /**
     * The peer will send nothing more (it closed or half-closed). Whatever we still have
     * queued for it is written first; then the connection closes.
     */
    private void handlePeerClosed() {
        peerClosed = true;
        if (wantsWrite()) {
            updateInterest();
        } else {
            handleClose();
        }
    }

    /**
     * A send from another thread. The bytes wait in {@link #foreignSends} and one task per
     * burst writes them all: when a logic thread sends several frames to one connection
     * in a row (acks and pushes after a group commit), they leave in one system call.
     */
    private void sendFromForeignThread(ByteBuffer data) {
        boolean first;
        synchronized (this) {
            if (foreignSends == null) {
                foreignSends = new ArrayList<>(4);
            }
            first = foreignSends.isEmpty();
            foreignSends.add(data);
            foreignSendBytes += data.remaining();
        }
        if (first) {
            loop.queueInLoop(this::flushForeignSends);
        }
    }

    private void flushForeignSends() {
        loop.assertInLoopThread();
        ArrayList<ByteBuffer> sent;
        synchronized (this) {
            sent = foreignSends;
            foreignSends = null; // the next send queues the next flush
            foreignSendBytes = 0;
        }
        if (state.get() == State.DISCONNECTED) {
            return;
        }
        boolean wasIdle = !hasQueuedOutput();
        sent.forEach(this::append);
        if (wasIdle) {
            // Otherwise OP_WRITE is registered already and handleWrite sends it.
            writeQueued();
        }
    }

    private void sendInLoop(ByteBuffer data) {
        loop.assertInLoopThread();
        if (state.get() == State.DISCONNECTED) {
            log.debug("{} closed, dropping {} bytes", this, data.remaining());
            return;
        }
        if (!hasQueuedOutput()) {
            try {
                writeSocket(data);
            } catch (IOException e) {
                handleError("write", e);
                return;
            }
        }
        if (data.hasRemaining()) {
            enqueue(copyOf(data)); // the caller keeps its array
        } else if (hasQueuedOutput()) {
            updateInterest(); // TLS records the kernel did not take yet
        } else if (writeCompleteCallback != null) {
            loop.queueInLoop(() -> writeCompleteCallback.onWriteComplete(this));
        }
        countInput();
    }

    private void enqueue(ByteBuffer data) {
        append(data);
        updateInterest();
    }

    private void resumeReading() {
        lastActiveNanos = System.nanoTime(); // the idle timeout counts from here, not from the pause
        updateInterest();
        // Inside the message callback (which resumed reading by releasing a pause on this
        // thread), the callback itself goes on consuming: a nested call would hand it the
        // same bytes it is in the middle of.
        if (readPauses.isEmpty() && input.isReadable() && state.get() != State.DISCONNECTED && !inMessageCallback) {
            callMessageCallback(input);
            input.release();
            countInput();
        }
    }

    private void callMessageCallback(Buffer data) {
        inMessageCallback = true;
        try {
            messageCallback.onMessage(this, data);
        } finally {
            inMessageCallback = false;
        }
    }

    /**
     * Asks the selector for what this connection waits for now: OP_READ unless the peer
     * closed or reading is paused, OP_WRITE while output is queued (the loop comes back
     * when the kernel takes more).
     */
    private void updateInterest() {
        if (state.get() == State.DISCONNECTED || key == null) {
            return;
        }
        int ops = (peerClosed || !readPauses.isEmpty() ? 0 : SelectionKey.OP_READ)
                | (wantsWrite() ? SelectionKey.OP_WRITE : 0);
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    private void append(ByteBuffer data) {
        if (output == null) {
            output = new ArrayDeque<>();
        }
        long before = queuedBytes;
        output.add(data);
        countOutput(data.remaining());
        if (before < highWaterMark && queuedBytes >= highWaterMark && highWaterMarkCallback != null) {
            long queued = queuedBytes;
            loop.queueInLoop(() -> highWaterMarkCallback.onHighWaterMark(this, queued));
        }
        if (queuedBytes > outputLimit && readPauses.add(ReadPause.OUTPUT_FULL)) {
            updateInterest();
        }
    }

    private void handleWrite() {
        if (!hasQueuedOutput()) {
            updateInterest();
            return;
        }
        writeQueued();
    }

    /** One gathering write of the queue. Drained: back to reading only; not drained: OP_WRITE. */
    private void writeQueued() {
        ByteBuffer[] gather = GATHER_ARRAY.get();
        int count = 0;
        if (output != null) { // null when only TLS records wait
            for (ByteBuffer b : output) {
                if (count == MAX_GATHER) {
                    break;
                }
                gather[count++] = b;
            }
        }
        try {
            countOutput(-writeSocket(gather, count));
        } catch (IOException e) {
            handleError("write", e);
            return;
        } finally {
            Arrays.fill(gather, 0, count, null);
        }
        while (output != null && !output.isEmpty() && !output.peek().hasRemaining()) {
            output.poll();
        }
        countInput();
        if (queuedBytes <= outputLimit / 2 && readPauses.remove(ReadPause.OUTPUT_FULL)) {
            resumeReading();
        }
        if (!hasQueuedOutput()) {
            outputDrained();
        } else {
            updateInterest();
        }
    }

    private void outputDrained() {
        output = null;
        if (peerClosed) {
            handleClose();
            return;
        }
        updateInterest();
        if (writeCompleteCallback != null) {
            loop.queueInLoop(() -> writeCompleteCallback.onWriteComplete(this));
        }
        if (drainedTasks != null) {
            ArrayList<Runnable> tasks = drainedTasks;
            drainedTasks = null;
            tasks.forEach(EventLoop::runSafely);
        }
        if (state.get() == State.DISCONNECTING) {
            shutdownOutputIfDrained();
        }
    }

    /**
     * Bytes sent by another thread before its {@link #shutdown} may still wait for their
     * flush task; that task comes back here once they are written.
     */
    private void shutdownOutputIfDrained() {
        loop.assertInLoopThread();
        if (state.get() != State.DISCONNECTING || hasQueuedOutput() || hasForeignSends()) {
            return;
        }
        try {
            shutdownSocketOutput();
        } catch (IOException e) {
            handleError("shutdown", e);
        }
    }

    private void handleClose() {
        loop.assertInLoopThread();
        if (state.getAndSet(State.DISCONNECTED) == State.DISCONNECTED || key == null) {
            return;
        }
        key.cancel();
        if (tls != null) {
            tls.close(); // close_notify, if the socket takes it now
        }
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("{} close: {}", this, e.toString());
        }
        output = null;
        drainedTasks = null;
        countOutput(-queuedBytes); // dropped: no longer held
        countInput();
        loop.countConnection(-1);
        connectionCallback.onConnection(this);
        closeCallback.onConnection(this);
    }

    /** A reset or broken pipe is part of a network's life: log it quietly and close. */
    private void handleError(String operation, IOException e) {
        log.debug("{} {} failed: {}", this, operation, e.toString());
        handleClose();
    }

    /** Output queued grew or shrank by {@code delta} bytes. */
    private void countOutput(long delta) {
        queuedBytes += delta;
        if (budget != null) {
            budget.add(delta);
        }
    }

    /** Counts what {@link #input} (and TLS) holds now in the budget, after a read, a write or a close. */
    private void countInput() {
        long held = state.get() == State.DISCONNECTED
                ? 0 : input.readableBytes() + (tls == null ? 0 : tls.bufferedBytes());
        if (budget != null && held != inputCounted) {
            budget.add(held - inputCounted);
        }
        inputCounted = held;
    }

    /** True while bytes sent wait for the kernel: plaintext queued, or TLS records. */
    private boolean hasQueuedOutput() {
        return (output != null && !output.isEmpty()) || (tls != null && tls.hasPendingOutput());
    }

    // ---- where TLS plugs in: the socket calls ---------------------------------------------------

    /** Reads once; plaintext lands in {@code into}. Returns the bytes read, -1 once the peer sends no more. */
    private int readSocket(Buffer into) throws IOException {
        if (tls == null) {
            return into.readFrom(socket);
        }
        int n = tls.read(into);
        updateInterest(); // the handshake may have finished with output waiting, or left records to send
        return n;
    }

    private void writeSocket(ByteBuffer data) throws IOException {
        if (tls == null) {
            socket.write(data);
        } else {
            tls.write(new ByteBuffer[] {data}, 0, 1);
        }
    }

    /** A gathering write of {@code data[0..count)}; returns the plaintext bytes taken. */
    private long writeSocket(ByteBuffer[] data, int count) throws IOException {
        return tls == null ? socket.write(data, 0, count) : tls.write(data, 0, count);
    }

    /** Half-close; with TLS close_notify goes first (a second call once it is written). */
    private void shutdownSocketOutput() throws IOException {
        if (tls == null) {
            socket.shutdownOutput();
        } else {
            tls.shutdownOutput();
            updateInterest();
        }
    }

    /** Whether to watch for writability: output queued (with TLS, not before the handshake is done). */
    private boolean wantsWrite() {
        boolean queued = output != null && !output.isEmpty();
        return tls == null ? queued : tls.wantsWrite(queued);
    }

    private synchronized boolean hasForeignSends() {
        return foreignSends != null && !foreignSends.isEmpty();
    }

    /**
     * Configuration happens before {@link #connectEstablished}, in the accepting thread
     * while no other thread knows the connection, or later in its loop thread.
     */
    private void assertConfigurable() {
        assert state.get() == State.CONNECTING || loop.isInLoopThread()
                : this + " configured from " + Thread.currentThread().getName() + " after it was established";
    }

    private static ByteBuffer copyOf(ByteBuffer data) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data).flip();
        return copy;
    }
}
