package muchat.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening socket of a {@link TcpServer}, registered with the main loop. When the
 * selector reports OP_ACCEPT it accepts until the kernel's queue is empty and hands each
 * new socket to the server.
 *
 * <p>Running out of file descriptors (EMFILE) is the classic trap: the pending
 * connection stays in the queue, OP_ACCEPT stays ready, and a naive loop spins at 100%
 * CPU. muduo keeps a spare fd to close, accept and drop; here we stop listening for
 * OP_ACCEPT for a short pause, log once per episode, and resume by ourselves.
 *
 * <p>Threads: loop thread only, apart from construction.
 */
final class Acceptor implements Channel {
    private static final Logger log = LoggerFactory.getLogger(Acceptor.class);
    private static final long PAUSE_ON_EMFILE_MILLIS = 200;

    private final EventLoop loop;
    private final ServerSocketChannel listener;
    private final Consumer<SocketChannel> newConnection;
    private SelectionKey key;
    private boolean outOfFiles;

    Acceptor(EventLoop loop, InetSocketAddress address, int backlog, Consumer<SocketChannel> newConnection)
            throws IOException {
        this.loop = loop;
        this.newConnection = newConnection;
        this.listener = ServerSocketChannel.open();
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(address, backlog);
            listener.configureBlocking(false);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
    }

    /** The bound address, with the real port when port 0 was asked for. */
    InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) listener.getLocalAddress();
    }

    /** Starts accepting. Loop thread. */
    void listen() throws IOException {
        loop.assertInLoopThread();
        key = loop.register(listener, SelectionKey.OP_ACCEPT, this);
    }

    @Override
    public void handleEvent(int readyOps) {
        loop.assertInLoopThread();
        while (true) {
            SocketChannel socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                handleAcceptError(e);
                return;
            }
            if (socket == null) {
                return;
            }
            if (outOfFiles) {
                outOfFiles = false;
                log.info("accepting again: file descriptors are available");
            }
            newConnection.accept(socket);
        }
    }

    private void handleAcceptError(IOException e) {
        if (!isOutOfFiles(e)) {
            log.warn("accept failed: {}", e.toString());
            return;
        }
        if (!outOfFiles) {
            outOfFiles = true;
            log.error("out of file descriptors (raise ulimit -n): pausing accept for {} ms at a time",
                    PAUSE_ON_EMFILE_MILLIS);
        }
        key.interestOps(0);
        loop.runAfter(PAUSE_ON_EMFILE_MILLIS, () -> {
            if (key.isValid()) {
                key.interestOps(SelectionKey.OP_ACCEPT);
            }
        });
    }

    private static boolean isOutOfFiles(IOException e) {
        String message = e.getMessage();
        return message != null && message.contains("Too many open files");
    }

    /** Stops listening; already accepted connections are not affected. Loop thread. */
    void close() {
        loop.assertInLoopThread();
        if (key != null) {
            key.cancel();
        }
        try {
            listener.close();
        } catch (IOException e) {
            log.debug("closing listener: {}", e.toString());
        }
    }

    @Override
    public void closeOnQuit() {
        close();
    }
}
