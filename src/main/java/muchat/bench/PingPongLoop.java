package muchat.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLContext;

/**
 * One selector thread of the {@link PingPongClient} and the connections it drives.
 *
 * <p>Each connection keeps exactly one message in flight: it writes the message, counts
 * the echoed bytes as they come back and writes the message again once all of them
 * have arrived. The echoed bytes are read into one scratch buffer per loop and
 * dropped: the client measures the server, so it does no work of its own per byte.
 * With TLS each connection wraps and unwraps through its own {@link PingPongTls}.
 *
 * <p>Threads: {@link #connect} before {@link #start}, from the thread that builds the
 * client; the counters and {@link #failure} from any thread; everything else runs
 * in the loop thread.
 */
final class PingPongLoop implements Runnable {
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final Selector selector;
    private final ByteBuffer message;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
    private final Thread thread;
    private volatile boolean running = true;
    // Written by the loop thread only; volatile so the main thread reads fresh totals.
    private volatile long bytesReceived;
    private volatile long messagesReceived;
    private volatile Exception failure;

    /** The state of one connection, attached to its selection key. */
    private static final class Session {
        final ByteBuffer out;
        /** Null without TLS. */
        final PingPongTls tls;
        int awaiting;

        Session(ByteBuffer message, PingPongTls tls) {
            this.out = message.duplicate();
            this.tls = tls;
        }

        /** The bytes still to write: the message itself, or its TLS records. */
        ByteBuffer pending() {
            return tls == null ? out : tls.records();
        }
    }

    PingPongLoop(int index, ByteBuffer message) throws IOException {
        this.selector = Selector.open();
        this.message = message.asReadOnlyBuffer();
        this.thread = new Thread(this, "pingpong-" + index);
    }

    /** Opens one blocking-connected channel (TLS with {@code tls}, unless null) and hands it to this loop. */
    void connect(InetSocketAddress server, SSLContext tls) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.socket().connect(server, CONNECT_TIMEOUT_MILLIS);
            PingPongTls session = tls == null ? null : PingPongTls.handshake(channel, tls, server, message.capacity());
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, new Session(message, session));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    void start() {
        thread.start();
    }

    /** Stops the loop, waits for it and closes its connections. */
    void stop() throws InterruptedException {
        running = false;
        selector.wakeup();
        thread.join();
    }

    long bytesReceived() {
        return bytesReceived;
    }

    long messagesReceived() {
        return messagesReceived;
    }

    /** The error that ended this loop early, or null while it runs or after a clean stop. */
    Exception failure() {
        return failure;
    }

    @Override
    public void run() {
        try (selector) {
            for (SelectionKey key : selector.keys()) {
                sendMessage(key);
            }
            while (running) {
                selector.select(this::onReady);
            }
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
    }

    private void onReady(SelectionKey key) {
        try {
            if (key.isReadable()) {
                onReadable(key);
            }
            if (key.isValid() && key.isWritable()) {
                flush(key);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void onReadable(SelectionKey key) throws IOException {
        Session session = (Session) key.attachment();
        SocketChannel channel = (SocketChannel) key.channel();
        int n;
        while ((n = session.tls == null ? channel.read(scratch.clear()) : session.tls.read(channel)) > 0) {
            bytesReceived += n;
            session.awaiting -= n;
        }
        if (n < 0) {
            throw new IOException("server closed a connection " + channel.getLocalAddress());
        }
        if (session.awaiting < 0) {
            throw new IOException("server sent more bytes than were sent to it");
        }
        if (session.awaiting == 0) {
            messagesReceived++;
            sendMessage(key);
        }
    }

    private void sendMessage(SelectionKey key) throws IOException {
        Session session = (Session) key.attachment();
        session.out.clear();
        session.awaiting = session.out.remaining();
        if (session.tls != null) {
            session.tls.wrap(session.out);
        }
        flush(key);
    }

    /** Writes what the socket takes; asks for OP_WRITE only while something is left. */
    private void flush(SelectionKey key) throws IOException {
        Session session = (Session) key.attachment();
        ((SocketChannel) key.channel()).write(session.pending());
        int interest = session.pending().hasRemaining()
                ? SelectionKey.OP_READ | SelectionKey.OP_WRITE
                : SelectionKey.OP_READ;
        if (key.interestOps() != interest) {
            key.interestOps(interest);
        }
    }
}
