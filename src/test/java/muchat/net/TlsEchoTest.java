package muchat.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import muchat.bench.EchoServer;
import muchat.it.TestCertificates;
import muchat.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The reactor speaking TLS: payloads, close_notify, and read pausing with an SSLEngine in the way. */
class TlsEchoTest {
    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress("127.0.0.1", 0);
    private static TestCertificates certificates;
    private static SSLContext serverContext;
    private static SSLContext clientContext;
    private TcpServer server;

    @BeforeAll
    static void makeCertificates() throws IOException {
        certificates = TestCertificates.create("ec");
        serverContext = TlsContexts.server(certificates.cert(), certificates.key());
        clientContext = TlsContexts.client(certificates.cert());
    }

    @AfterAll
    static void deleteCertificates() {
        certificates.close();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void largePayloadsCrossBothWaysIntactOnSeveralConnectionsAtOnce() throws Exception {
        server = EchoServer.start(ANY_LOOPBACK_PORT, 2, EventLoopGroup.Placement.ROUND_ROBIN, serverContext);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] payload = randomBytes(i, 3_000_000); // more than the socket buffers hold
            done.add(CompletableFuture.runAsync(() -> {
                try (SSLSocket socket = connect()) {
                    CompletableFuture<byte[]> reply = CompletableFuture.supplyAsync(() -> readToEnd(socket));
                    socket.getOutputStream().write(payload);
                    socket.shutdownOutput(); // close_notify: the server writes what it has, then closes
                    assertArrayEquals(payload, reply.get(30, TimeUnit.SECONDS), "every byte back, then the end");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        CompletableFuture.allOf(done.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
        Await.until("the server closed every connection", () -> server.connectionCount() == 0);
    }

    @Test
    void aTls12ClientIsServedToo() throws Exception {
        server = EchoServer.start(ANY_LOOPBACK_PORT, 1, EventLoopGroup.Placement.ROUND_ROBIN, serverContext);
        try (SSLSocket socket = connect()) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            write(socket, "twelve");
            assertEquals("twelve", new String(socket.getInputStream().readNBytes(6), StandardCharsets.US_ASCII));
            assertEquals("TLSv1.2", socket.getSession().getProtocol());
        }
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), List.of(TlsContexts.protocols()));
    }

    @Test
    void shutdownSaysCloseNotifyAfterTheQueuedOutputAndStillReads() throws Exception {
        byte[] payload = randomBytes(3, 2_000_000);
        AtomicLong readAfterShutdown = new AtomicLong();
        server = new TcpServer("tls-shutdown", ANY_LOOPBACK_PORT, 1, EventLoopGroup.Placement.ROUND_ROBIN);
        server.setTls(serverContext);
        server.setConnectionCallback(connection -> {
            if (connection.isConnected()) {
                connection.send(payload);
                connection.shutdown();
            }
        });
        server.setMessageCallback((connection, input) -> {
            readAfterShutdown.addAndGet(input.readableBytes());
            input.skip(input.readableBytes());
        });
        server.start();
        try (SocketChannel channel = SocketChannel.open(server.address())) {
            SSLEngine engine = clientContext.createSSLEngine("localhost", server.address().getPort());
            engine.setUseClientMode(true);
            assertEquals(payload.length, readUntilCloseNotify(channel, engine), "all of it, then close_notify");
            ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(ByteBuffer.wrap("still here".getBytes(StandardCharsets.US_ASCII)), out);
            channel.write(out.flip());
            Await.until("the server reads on after its half-close", () -> readAfterShutdown.get() == 10);
        }
    }

    /**
     * A client of our own on an SSLEngine (an SSLSocket does not tell close_notify from a
     * bare end of stream): handshakes, counts the plaintext, and returns the count once
     * the server says close_notify; fails if the stream ends without it.
     */
    private static long readUntilCloseNotify(SocketChannel channel, SSLEngine engine) throws IOException {
        ByteBuffer netIn = ByteBuffer.allocate(1 << 16);
        ByteBuffer netOut = ByteBuffer.allocate(1 << 16);
        ByteBuffer app = ByteBuffer.allocate(1 << 16);
        long received = 0;
        engine.beginHandshake();
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> {
                    engine.wrap(ByteBuffer.allocate(0), netOut.clear());
                    for (netOut.flip(); netOut.hasRemaining(); ) {
                        channel.write(netOut);
                    }
                }
                case NEED_TASK -> engine.getDelegatedTask().run();
                default -> {
                    SSLEngineResult result = engine.unwrap(netIn.flip(), app.clear());
                    netIn.compact();
                    received += result.bytesProduced();
                    if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                        return received;
                    }
                    if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && channel.read(netIn) < 0) {
                        throw new AssertionError("the stream ended without close_notify after " + received + " bytes");
                    }
                }
            }
        }
    }

    @Test
    void aPausedTlsConnectionIsNotReadUntilResumedAndThenGetsWhatItLeftWaiting() throws Exception {
        PauseAtBang pauseAtBang = new PauseAtBang();
        server = new TcpServer("tls-pause", ANY_LOOPBACK_PORT, 1, EventLoopGroup.Placement.ROUND_ROBIN);
        server.setTls(serverContext);
        server.setMessageCallback(pauseAtBang);
        server.start();
        try (SSLSocket socket = connect()) {
            write(socket, "ab!cd");
            assertEquals("ab!", new String(socket.getInputStream().readNBytes(3), StandardCharsets.US_ASCII));
            write(socket, "ef");
            socket.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read(), "read while paused");
            socket.setSoTimeout(5000);
            pauseAtBang.paused().startRead(TcpConnection.ReadPause.SHAPING);
            assertEquals("cdef", new String(socket.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aPeerThatDoesNotReadIsHeldBackByTheOutputLimitUnderTls() throws Exception {
        long limit = 256 * 1024;
        server = new TcpServer("tls-limit", ANY_LOOPBACK_PORT, 1, EventLoopGroup.Placement.ROUND_ROBIN);
        server.setTls(serverContext);
        server.setOutputLimit(limit);
        server.setMessageCallback((connection, input) -> connection.send(input));
        server.start();
        byte[] payload = randomBytes(5, 16_000_000);
        try (SSLSocket socket = connect()) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> write(socket, payload));
            Await.until("output queued past the limit", () -> server.bufferedBytes() > limit);
            long most = 0;
            for (long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500); System.nanoTime() < end; ) {
                most = Math.max(most, server.bufferedBytes());
                Thread.onSpinWait();
            }
            // Without the pause the server would read on and queue megabytes for us.
            assertTrue(most < limit + 512 * 1024, "the server stopped reading; it held " + most + " bytes");
            assertArrayEquals(payload, socket.getInputStream().readNBytes(payload.length), "all of it, once we read");
            writer.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theHighWaterMarkCountsPlaintextQueuedForATlsReaderThatFallsBehind() throws Exception {
        CompletableFuture<Long> fired = new CompletableFuture<>();
        long mark = 4L * 1024 * 1024;
        server = new TcpServer("tls-hwm", ANY_LOOPBACK_PORT, 1, EventLoopGroup.Placement.ROUND_ROBIN);
        server.setTls(serverContext);
        server.setHighWaterMarkCallback((connection, queued) -> fired.complete(queued), mark);
        server.setConnectionCallback(connection -> {
            if (connection.isConnected()) {
                for (int i = 0; i < 16; i++) {
                    connection.send(new byte[1 << 20]);
                }
            }
        });
        server.start();
        try (SSLSocket idleReader = connect()) {
            idleReader.startHandshake();
            assertTrue(fired.get(10, TimeUnit.SECONDS) >= mark);
        }
    }

    @Test
    void aPlaintextClientIsClosedCleanlyAndLoggedOnceWithoutATrace() throws Exception {
        Logger connectionLog = (Logger) LoggerFactory.getLogger(TcpConnection.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        connectionLog.addAppender(events);
        try {
            server = EchoServer.start(ANY_LOOPBACK_PORT, 1, EventLoopGroup.Placement.ROUND_ROBIN, serverContext);
            try (Socket plain = new Socket("127.0.0.1", server.address().getPort())) {
                plain.setSoTimeout(5000);
                plain.getOutputStream().write("{\"msgid\":1,\"name\":\"x\"}\0".getBytes(StandardCharsets.UTF_8));
                plain.getInputStream().readAllBytes(); // at most an alert, then the end: no stall
            }
            try (SSLSocket socket = connect()) {
                write(socket, "still serving");
                assertEquals("still serving", new String(socket.getInputStream().readNBytes(13), StandardCharsets.UTF_8));
            }
            List<ILoggingEvent> tlsLines = events.list.stream()
                    .filter(e -> e.getFormattedMessage().contains("reason=tls")).toList();
            assertEquals(1, tlsLines.size(), "one line for the plaintext client");
            assertEquals(null, tlsLines.get(0).getThrowableProxy(), "no stack trace");
        } finally {
            connectionLog.detachAppender(events);
        }
    }

    private SSLSocket connect() throws IOException {
        SSLSocket socket = (SSLSocket) clientContext.getSocketFactory()
                .createSocket("localhost", server.address().getPort());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static void write(Socket socket, String text) {
        write(socket, text.getBytes(StandardCharsets.US_ASCII));
    }

    private static void write(Socket socket, byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] readToEnd(Socket socket) {
        try {
            return socket.getInputStream().readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] randomBytes(long seed, int n) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
