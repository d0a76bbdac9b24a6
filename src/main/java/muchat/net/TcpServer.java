package muchat.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP server in muduo's shape: a main loop owns the {@link Acceptor}, and each accepted
 * socket becomes a {@link TcpConnection} owned by one sub-loop of an
 * {@link EventLoopGroup} for the rest of its life.
 *
 * <p>Threads: configure (the setters) before {@link #start()}; {@link #start()},
 * {@link #stopAccepting()}, {@link #stopReading()}, {@link #closeGracefully} and
 * {@link #stop()} from the owner's thread, not a loop's; {@link #pauseAll},
 * {@link #resumeAll}, {@link #connectionCount()}, {@link #connections()} and
 * {@link #bufferedBytes()} from any thread; the callbacks run in the connection's loop
 * thread, and so do the private steps of a connection's life (each checks its loop).
 */
public final class TcpServer {
    private static final Logger log = LoggerFactory.getLogger(TcpServer.class);
    private static final int BACKLOG = 4096;

    private final String name;
    private final InetSocketAddress requestedAddress;
    private final EventLoop mainLoop;
    private final Thread mainThread;
    private final EventLoopGroup ioLoops;
    private final AtomicLong nextConnectionId = new AtomicLong();
    private final Map<Long, TcpConnection> connections = new ConcurrentHashMap<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private Acceptor acceptor;
    private InetSocketAddress boundAddress;

    private Callbacks.ConnectionCallback connectionCallback = Callbacks.NO_CONNECTION_CALLBACK;
    private Callbacks.MessageCallback messageCallback = Callbacks.DISCARD;
    private Callbacks.WriteCompleteCallback writeCompleteCallback;
    private Callbacks.HighWaterMarkCallback highWaterMarkCallback;
    /** Set together with {@link #highWaterMarkCallback}; without the callback it has no use, so no default. */
    private long highWaterMark;
    private long outputLimit = Long.MAX_VALUE;
    private Duration idleTimeout = Duration.ZERO;
    private MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE, over -> { });
    /** Pauses that hold every connection, new ones included; guarded by itself. */
    private final EnumSet<TcpConnection.ReadPause> serverPauses = EnumSet.noneOf(TcpConnection.ReadPause.class);
    private PeerLimit peerLimit = new PeerLimit(0);
    /** Null: plaintext. */
    private SSLContext tls;

    public TcpServer(String name, InetSocketAddress address, int ioThreads, EventLoopGroup.Placement placement) {
        this.name = name;
        this.requestedAddress = address;
        this.mainLoop = new EventLoop(name + "-accept");
        this.mainThread = new Thread(mainLoop::loop, mainLoop.name());
        this.ioLoops = new EventLoopGroup(name + "-io", ioThreads, placement);
    }

    public void setConnectionCallback(Callbacks.ConnectionCallback callback) {
        this.connectionCallback = callback;
    }

    public void setMessageCallback(Callbacks.MessageCallback callback) {
        this.messageCallback = callback;
    }

    public void setWriteCompleteCallback(Callbacks.WriteCompleteCallback callback) {
        this.writeCompleteCallback = callback;
    }

    /** Called when a connection's queued output grows across {@code bytes}; no callback by default. */
    public void setHighWaterMarkCallback(Callbacks.HighWaterMarkCallback callback, long bytes) {
        this.highWaterMarkCallback = callback;
        this.highWaterMark = bytes;
    }

    /**
     * A connection with more than {@code bytes} of output queued stops reading until the
     * peer has taken it down to half (no limit by default): a peer that sends requests
     * but does not read the replies is held back by TCP.
     */
    public void setOutputLimit(long bytes) {
        this.outputLimit = bytes;
    }

    /**
     * When all connections together hold {@code bytes} in their buffers (output queued,
     * input waiting to become a message), every connection stops reading until the total
     * is back under three quarters of it (see {@link MemoryBudget}). No limit by default.
     */
    public void setMemoryBudget(long bytes) {
        this.budget = new MemoryBudget(bytes, over -> {
            log.warn("buffers {} the memory budget of {} bytes: {} reading on every connection",
                    over ? "reached" : "are back under", bytes, over ? "pausing" : "resuming");
            if (over) {
                pauseAll(TcpConnection.ReadPause.MEMORY);
            } else {
                resumeAll(TcpConnection.ReadPause.MEMORY);
            }
        });
    }

    /**
     * Closes connections that sent no complete message for {@code timeout} (unless
     * exempt, see {@link TcpConnection#keepAliveInsteadOfIdleTimeout}); zero (the
     * default) never does.
     */
    public void setIdleTimeout(Duration timeout) {
        this.idleTimeout = timeout;
    }

    /**
     * Allows at most {@code max} open connections from one peer address; a connection
     * over it is closed as soon as it is accepted, before a byte is read or written.
     * Zero (the default) allows any number.
     */
    public void setMaxConnectionsPerAddress(int max) {
        this.peerLimit = new PeerLimit(max);
    }

    /**
     * Makes the port speak TLS only, with {@code context}'s certificate (see
     * {@link TlsContexts#server}); every connection gets its own engine.
     */
    public void setTls(SSLContext context) {
        this.tls = context;
    }

    /** Binds, starts the loops and begins accepting; returns once the socket is listening. */
    public void start() throws IOException {
        ioLoops.start();
        mainThread.start();
        CompletableFuture<InetSocketAddress> listening = new CompletableFuture<>();
        mainLoop.runInLoop(() -> listen(listening));
        try {
            boundAddress = listening.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + name, e);
        } catch (ExecutionException e) {
            stopLoops();
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        if (!idleTimeout.isZero()) {
            long sweepMillis = Math.max(10, Math.min(1000, idleTimeout.toMillis() / 4));
            for (EventLoop loop : ioLoops.loops()) {
                loop.runEvery(sweepMillis, () -> closeIdle(loop));
            }
        }
    }

    /** The address actually bound (with the real port when port 0 was asked for). */
    public InetSocketAddress address() {
        return boundAddress;
    }

    /** The sub-loops. Package-private for a test that checks how connections are spread. */
    List<EventLoop> ioLoops() {
        return ioLoops.loops();
    }

    public int connectionCount() {
        return connections.size();
    }

    /** All live connections, e.g. to say goodbye before stopping. Any thread. */
    public Iterable<TcpConnection> connections() {
        return connections.values();
    }

    /** Closes the listening socket; existing connections carry on. */
    public void stopAccepting() {
        if (stopped.get()) {
            return;
        }
        CompletableFuture<Void> closed = new CompletableFuture<>();
        mainLoop.runInLoop(() -> {
            if (acceptor != null) {
                acceptor.close();
            }
            closed.complete(null);
        });
        closed.join();
    }

    /**
     * Stops reading from every connection, the first step of a graceful stop: the
     * requests already read go on, no new ones come in. Returns once every loop has
     * stopped reading and handed on what it read before (its pending tasks ran).
     */
    public void stopReading() {
        pauseAll(TcpConnection.ReadPause.SHUTDOWN);
        awaitLoops();
    }

    /**
     * Stops reading from every connection, and from each new one, until {@link #resumeAll}
     * with the same reason; returns at once. Any thread.
     */
    public void pauseAll(TcpConnection.ReadPause reason) {
        synchronized (serverPauses) {
            if (!serverPauses.add(reason)) {
                return;
            }
        }
        inEveryLoop(connection -> connection.stopRead(reason));
    }

    /** Releases {@code reason} of {@link #pauseAll} on every connection. Any thread. */
    public void resumeAll(TcpConnection.ReadPause reason) {
        synchronized (serverPauses) {
            if (!serverPauses.remove(reason)) {
                return;
            }
        }
        inEveryLoop(connection -> connection.startRead(reason));
    }

    /** Bytes all connections hold in their buffers now, as the memory budget counts them. */
    public long bufferedBytes() {
        return budget.used();
    }

    /**
     * Says goodbye to every connection: writes what is queued for it, half-closes it, and
     * reads (discarding) until the peer closes too, so that nothing we wrote is lost to a
     * reset. Connections still open after {@code grace} are closed. Call after
     * {@link #stopReading()} once nothing more will be sent.
     */
    public void closeGracefully(Duration grace) {
        inEveryLoop(TcpConnection::closeGracefully);
        awaitLoops();
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (connections) {
            for (long left; !connections.isEmpty() && (left = deadline - System.nanoTime()) > 0; ) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(connections, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (!connections.isEmpty()) {
            log.info("closing {} connections that did not close within {} s", connections.size(), grace.toSeconds());
        }
    }

    /** Stops accepting, closes every connection and stops every loop thread. */
    public void stop() {
        stopAccepting();
        if (stopped.compareAndSet(false, true)) {
            stopLoops();
        }
    }

    /** Queues {@code action} for each connection in its own loop, later (never inline: callers may be in a loop). */
    private void inEveryLoop(Consumer<TcpConnection> action) {
        for (EventLoop loop : ioLoops.loops()) {
            loop.queueInLoop(() -> eachConnection(loop, action));
        }
    }

    private static void eachConnection(EventLoop loop, Consumer<TcpConnection> action) {
        for (Channel channel : loop.channels()) {
            if (channel instanceof TcpConnection connection) {
                action.accept(connection);
            }
        }
    }

    /**
     * Returns once every loop has run the tasks queued before this call (e.g. those of
     * {@link #inEveryLoop}) and the tasks its IO events queue meanwhile, such as the
     * hand-off of frames read in the iteration under way. Not from a loop thread.
     */
    private void awaitLoops() {
        assert ioLoops.loops().stream().noneMatch(EventLoop::isInLoopThread)
                : "a loop thread waiting for the loops would wait for itself";
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (EventLoop loop : ioLoops.loops()) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            done.add(f);
            // Queued again from inside the loop, it runs a round later: after whatever
            // this iteration's IO events queued.
            loop.queueInLoop(() -> loop.queueInLoop(() -> f.complete(null)));
        }
        done.forEach(CompletableFuture::join);
    }

    private void listen(CompletableFuture<InetSocketAddress> listening) {
        mainLoop.assertInLoopThread();
        try {
            acceptor = new Acceptor(mainLoop, requestedAddress, BACKLOG, this::newConnection);
            acceptor.listen();
            listening.complete(acceptor.localAddress());
        } catch (IOException e) {
            listening.completeExceptionally(e);
        }
    }

    /**
     * Main loop thread: wrap the socket and give it to a sub-loop, unless its peer address
     * has as many connections open as it may.
     */
    private void newConnection(SocketChannel socket) {
        mainLoop.assertInLoopThread();
        InetAddress peer;
        try {
            peer = ((InetSocketAddress) socket.getRemoteAddress()).getAddress();
        } catch (IOException e) {
            log.debug("dropping a connection that closed before setup: {}", e.toString());
            closeQuietly(socket);
            return;
        }
        if (!peerLimit.tryAdmit(peer)) {
            closeQuietly(socket);
            return;
        }
        TcpConnection connection;
        EventLoop ioLoop = ioLoops.next();
        try {
            socket.configureBlocking(false);
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            SSLEngine engine = tls == null ? null : TlsContexts.serverEngine(tls);
            connection = new TcpConnection(ioLoop, nextConnectionId.incrementAndGet(), socket, engine);
        } catch (IOException e) {
            log.debug("dropping a connection that failed during setup: {}", e.toString());
            peerLimit.release(peer);
            closeQuietly(socket);
            return;
        }
        connection.setConnectionCallback(connectionCallback);
        connection.setMessageCallback(messageCallback);
        connection.setWriteCompleteCallback(writeCompleteCallback);
        connection.setHighWaterMarkCallback(highWaterMarkCallback, highWaterMark);
        connection.setOutputLimit(outputLimit);
        connection.setMemoryBudget(budget);
        connection.setCloseCallback(closed -> removeConnection(closed, peer));
        connections.put(connection.id(), connection);
        ioLoop.runInLoop(() -> establish(connection, socket, peer));
    }

    /**
     * A connection from {@code peer} closed (its loop thread): forget it, and wake a
     * graceful stop waiting for the last one.
     */
    private void removeConnection(TcpConnection connection, InetAddress peer) {
        peerLimit.release(peer);
        connections.remove(connection.id());
        if (connections.isEmpty()) {
            synchronized (connections) {
                connections.notifyAll();
            }
        }
    }

    private void establish(TcpConnection connection, SocketChannel socket, InetAddress peer) {
        connection.loop().assertInLoopThread(); // stopRead below must act at once
        try {
            synchronized (serverPauses) {
                serverPauses.forEach(connection::stopRead); // in this loop: at once
            }
            connection.connectEstablished();
        } catch (IOException | UncheckedIOException e) {
            log.debug("{} could not be registered: {}", connection, e.toString());
            removeConnection(connection, peer);
            closeQuietly(socket);
        }
    }

    /** Sub-loop thread: close the connections of this loop that have been silent too long. */
    private void closeIdle(EventLoop loop) {
        loop.assertInLoopThread();
        long now = System.nanoTime();
        long limit = idleTimeout.toNanos();
        for (Channel channel : loop.channels()) {
            if (channel instanceof TcpConnection connection && !connection.isIdleTimeoutExempt()
                    && !connection.isIdleTimeoutPaused() && now - connection.lastActiveNanos() > limit) {
                log.info("closed {} reason=idle-timeout silent-for={}s", connection, idleTimeout.toSeconds());
                connection.forceClose();
            }
        }
    }

    private void stopLoops() {
        try {
            ioLoops.shutdown(5, TimeUnit.SECONDS);
            mainLoop.quit();
            mainThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing more to do for a socket we are giving up on.
        }
    }
}
