package muchat.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for one {@link TcpConnection}: an {@link SSLEngine} between the socket and the
 * connection's plaintext. What is read from the socket is ciphertext; {@link #read}
 * unwraps it into the connection's input buffer, so the message callback sees plaintext
 * as it would without TLS. {@link #write} wraps what the connection sends into records
 * and writes them. The handshake runs on the loop as a side effect of both: a read may
 * produce handshake records to send, and nothing the layer above sent is wrapped before
 * the handshake is done (it waits in the connection's output queue).
 *
 * <p>Buffers: ciphertext is read into, and wrapped into, the loop's scratch buffers
 * ({@link EventLoop#tlsScratch}); only an incomplete record ({@code cipherIn}) and records
 * the kernel did not take ({@code cipherOut}, written before anything else) stay with the
 * connection, and their arrays are released once empty, so an idle TLS connection holds
 * no buffer memory besides its engine.
 *
 * <p>Delegated tasks (the handshake's signatures, key agreement, certificate checks) run
 * inline on the loop: they are short bursts of CPU work, not blocking IO, once per
 * connection, and another pool would not add cores, only hand-offs and a state to wait in.
 *
 * <p>Closing: {@link #shutdownOutput} sends close_notify and then half-closes the socket;
 * the peer's close_notify ends the input ({@link #isInboundDone}), and the connection
 * still writes what it has queued before it closes (TLS 1.3 half-close); {@link #close}
 * says close_notify, without waiting, when the connection closes for any other reason,
 * which also answers the peer's.
 *
 * <p>Threads: the owning loop's thread only (each method checks), apart from construction
 * in the accepting thread, before the connection is established.
 */
final class TlsLayer {
    private static final Logger log = LoggerFactory.getLogger(TlsLayer.class);
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};

    /**
     * Per-loop scratch space: one socket read of ciphertext, and one batch of wrapped
     * records (four records of at most 16 KiB of plaintext each, with their overhead).
     */
    static final class Scratch {
        final Buffer in = new Buffer(64 * 1024);
        final ByteBuffer out = ByteBuffer.allocate(4 * 17 * 1024);
    }

    private final EventLoop loop;
    private final SocketChannel socket;
    private final SSLEngine engine;
    /** Ciphertext of an incomplete record, until the rest arrives. */
    private final Buffer cipherIn = new Buffer();
    /** Records the kernel has not taken yet. */
    private final Buffer cipherOut = new Buffer();
    private boolean handshakeDone;
    private boolean outputShutdown;

    TlsLayer(EventLoop loop, SocketChannel socket, SSLEngine engine) {
        this.loop = loop;
        this.socket = socket;
        this.engine = engine;
    }

    /** Begins the handshake; a client's first flight goes out now. */
    void start() throws IOException {
        loop.assertInLoopThread();
        engine.beginHandshake();
        handshake();
    }

    /**
     * Reads once from the socket and appends the plaintext of every complete record to
     * {@code plain}; answers the handshake on the way.
     *
     * @return plaintext bytes appended, or -1 when the peer sends nothing more and none were
     */
    int read(Buffer plain) throws IOException {
        loop.assertInLoopThread();
        Buffer cipher = cipherIn.isReadable() ? cipherIn : loop.tlsScratch().in;
        if (cipher != cipherIn) {
            cipher.clear();
        }
        cipher.ensureWritable(engine.getSession().getPacketBufferSize());
        int n = cipher.readFrom(socket);
        int produced = unwrapAll(cipher, plain);
        if (cipher != cipherIn && cipher.isReadable()) {
            cipherIn.append(cipher.array(), cipher.readerIndex(), cipher.readableBytes());
        }
        cipherIn.release();
        if (n < 0 && !engine.isInboundDone()) {
            endWithoutCloseNotify();
        }
        return produced == 0 && (n < 0 || engine.isInboundDone()) ? -1 : produced;
    }

    /** True once the peer has said close_notify or closed its side: it sends nothing more. */
    boolean isInboundDone() {
        loop.assertInLoopThread();
        return engine.isInboundDone();
    }

    /**
     * Writes records left from before, then wraps as much of {@code data} as one batch
     * holds and writes it. Nothing is wrapped while the handshake runs.
     *
     * @return plaintext bytes taken from {@code data} (their positions advance)
     */
    long write(ByteBuffer[] data, int offset, int length) throws IOException {
        loop.assertInLoopThread();
        if (!flush() || !handshakeDone) {
            return 0;
        }
        if (engine.isOutboundDone()) {
            throw new SSLException("TLS output is closed");
        }
        ByteBuffer out = loop.tlsScratch().out.clear();
        int packet = engine.getSession().getPacketBufferSize();
        long consumed = 0;
        while (out.remaining() >= packet && hasRemaining(data, offset, length)) {
            SSLEngineResult result = engine.wrap(data, offset, length, out);
            consumed += result.bytesConsumed();
            if (result.getStatus() != SSLEngineResult.Status.OK) {
                break;
            }
        }
        send(out.flip());
        handshake(); // a key update, now and then
        return consumed;
    }

    /**
     * True if the socket should be watched for writability: records wait, or plaintext
     * waits ({@code plaintextQueued}) and the handshake is done.
     */
    boolean wantsWrite(boolean plaintextQueued) {
        loop.assertInLoopThread();
        return cipherOut.isReadable() || (plaintextQueued && handshakeDone);
    }

    /** True while records wait for the kernel to take them. */
    boolean hasPendingOutput() {
        loop.assertInLoopThread();
        return cipherOut.isReadable();
    }

    /** Ciphertext this connection holds (an incomplete record, records not yet written). */
    long bufferedBytes() {
        loop.assertInLoopThread();
        return cipherIn.readableBytes() + cipherOut.readableBytes();
    }

    /**
     * Half-close: sends close_notify and, once it is written, shuts down the socket's
     * write side. Call again when {@link #hasPendingOutput()} turns false.
     */
    void shutdownOutput() throws IOException {
        loop.assertInLoopThread();
        engine.closeOutbound();
        handshake(); // wraps close_notify
        if (flush() && !outputShutdown) {
            outputShutdown = true;
            socket.shutdownOutput();
        }
    }

    /** The connection closes now: close_notify if the socket takes it at once. */
    void close() {
        loop.assertInLoopThread();
        try {
            engine.closeOutbound();
            handshake();
        } catch (IOException e) {
            log.debug("close_notify not sent: {}", e.toString());
        }
    }

    // ---- inside ------------------------------------------------------------------------------

    /** Unwraps every complete record in {@code cipher} into {@code plain}. */
    private int unwrapAll(Buffer cipher, Buffer plain) throws IOException {
        int produced = 0;
        while (cipher.isReadable() && !engine.isInboundDone()) {
            int at = plain.beginWrite(engine.getSession().getApplicationBufferSize());
            ByteBuffer src = ByteBuffer.wrap(cipher.array(), cipher.readerIndex(), cipher.readableBytes());
            ByteBuffer dst = ByteBuffer.wrap(plain.array(), at, plain.writableBytes());
            SSLEngineResult result = engine.unwrap(src, dst);
            noteFinished(result);
            cipher.skip(result.bytesConsumed());
            plain.hasWritten(result.bytesProduced());
            produced += result.bytesProduced();
            SSLEngineResult.Status status = result.getStatus();
            if (status == SSLEngineResult.Status.BUFFER_UNDERFLOW || status == SSLEngineResult.Status.CLOSED) {
                break; // the rest of a record is still on its way, or the peer said close_notify
            }
            if (!handshake() && result.bytesConsumed() == 0) {
                break; // no progress (cannot happen with a sound engine; never spin)
            }
        }
        handshake(); // e.g. answers a TLS 1.2 close_notify
        return produced;
    }

    /**
     * Does what the handshake (or the close) needs besides reading: runs its tasks and
     * sends its records. Returns true if there was anything to do.
     */
    private boolean handshake() throws IOException {
        boolean did = false;
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_TASK -> {
                    for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                        task.run();
                    }
                }
                case NEED_WRAP -> {
                    ByteBuffer out = loop.tlsScratch().out.clear();
                    SSLEngineResult result = engine.wrap(NOTHING, out);
                    noteFinished(result);
                    send(out.flip());
                    if (result.bytesProduced() == 0) {
                        return did;
                    }
                }
                default -> {
                    return did;
                }
            }
            did = true;
        }
    }

    /** The handshake is over once a result says FINISHED, or no handshake is under way after {@link #start}. */
    private void noteFinished(SSLEngineResult result) {
        SSLEngineResult.HandshakeStatus status = result.getHandshakeStatus();
        if (status == SSLEngineResult.HandshakeStatus.FINISHED
                || status == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
            handshakeDone = true;
        }
    }

    /** Writes {@code records} after those still waiting; keeps what the kernel does not take. */
    private void send(ByteBuffer records) throws IOException {
        if (flush()) {
            socket.write(records);
        }
        if (records.hasRemaining()) {
            cipherOut.append(records);
        }
    }

    /** Writes the records that wait; true once none is left. */
    private boolean flush() throws IOException {
        if (cipherOut.isReadable()) {
            cipherOut.writeTo(socket);
            cipherOut.release();
        }
        return !cipherOut.isReadable();
    }

    /** The socket ended without close_notify: the input ends all the same (a truncation is the peer's loss). */
    private void endWithoutCloseNotify() {
        try {
            engine.closeInbound();
        } catch (SSLException e) {
            log.debug("peer closed without close_notify: {}", e.getMessage());
        }
    }

    private static boolean hasRemaining(ByteBuffer[] data, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (data[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }
}
