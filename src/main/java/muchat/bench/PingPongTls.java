package muchat.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import muchat.net.TlsContexts;

/**
 * The client side of TLS for one {@link PingPongLoop} connection, on a JDK
 * {@link SSLEngine} as neutral as the rest of the client: the handshake runs blocking
 * before the loop takes the connection; afterwards the loop wraps each message into
 * {@link #records()} and unwraps what it reads into a scratch buffer it drops.
 *
 * <p>Threads: {@link #handshake} in the thread that connects, the rest in the loop thread.
 */
final class PingPongTls {
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};

    private final SSLEngine engine;
    private final ByteBuffer netIn;
    private final ByteBuffer records;
    private final ByteBuffer plain;

    private PingPongTls(SSLEngine engine, int messageSize) {
        this.engine = engine;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(4 * packet);
        this.records = ByteBuffer.allocate((messageSize / 16384 + 2) * packet).flip();
        this.plain = ByteBuffer.allocate(4 * engine.getSession().getApplicationBufferSize());
    }

    /** TLS over {@code channel}, which must still be blocking; returns once the handshake is done. */
    static PingPongTls handshake(SocketChannel channel, SSLContext context, InetSocketAddress server, int messageSize)
            throws IOException {
        SSLEngine engine = context.createSSLEngine(server.getHostString(), server.getPort());
        engine.setUseClientMode(true);
        engine.setEnabledProtocols(TlsContexts.protocols());
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        PingPongTls tls = new PingPongTls(engine, messageSize);
        engine.beginHandshake();
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> {
                    tls.records.clear();
                    engine.wrap(NOTHING, tls.records);
                    for (tls.records.flip(); tls.records.hasRemaining(); ) {
                        channel.write(tls.records);
                    }
                }
                case NEED_TASK -> engine.getDelegatedTask().run();
                case NEED_UNWRAP -> {
                    SSLEngineResult result = engine.unwrap(tls.netIn.flip(), tls.plain.clear());
                    tls.netIn.compact();
                    if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && channel.read(tls.netIn) < 0) {
                        throw new IOException("the server closed during the TLS handshake");
                    }
                }
                default -> {
                    return tls;
                }
            }
        }
    }

    /** Wraps all of {@code message} into {@link #records()}, ready to write. */
    void wrap(ByteBuffer message) throws SSLException {
        records.clear();
        while (message.hasRemaining()) {
            engine.wrap(message, records);
        }
        records.flip();
    }

    /** What is left to write of the last {@link #wrap}. */
    ByteBuffer records() {
        return records;
    }

    /** Reads once and unwraps every complete record; returns the plaintext bytes (dropped), -1 at the end. */
    int read(SocketChannel channel) throws IOException {
        if (channel.read(netIn) < 0) {
            return -1;
        }
        int produced = 0;
        netIn.flip();
        while (netIn.hasRemaining()) {
            SSLEngineResult result = engine.unwrap(netIn, plain.clear());
            produced += result.bytesProduced();
            if (result.getStatus() != SSLEngineResult.Status.OK) {
                break;
            }
            for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                task.run(); // a session ticket after the handshake
            }
        }
        netIn.compact();
        return produced;
    }
}
