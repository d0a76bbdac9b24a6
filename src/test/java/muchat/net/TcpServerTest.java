package muchat.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import muchat.bench.EchoServer;
import muchat.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class TcpServerTest {
    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress("127.0.0.1", 0);
    private TcpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void echoesAThousandConcurrentConnectionsByteForByte() throws Exception {
        server = EchoServer.start(ANY_LOOPBACK_PORT, 2, EventLoopGroup.Placement.ROUND_ROBIN);
        int connections = 1000;
        int bytesEach = 20_000;
        try (Selector selector = Selector.open()) {
            List<EchoClient> clients = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                SocketChannel channel = SocketChannel.open(server.address());
                channel.configureBlocking(false);
                EchoClient client = new EchoClient(channel, randomBytes(i, bytesEach));
                channel.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE, client);
                clients.add(client);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int done = 0;
            while (done < connections && System.nanoTime() < deadline) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    EchoClient client = (EchoClient) key.attachment();
                    if (client.step(key)) {
                        done++;
                        key.cancel();
                    }
                }
                selector.selectedKeys().clear();
            }
            assertEquals(connections, done, "every connection got its bytes back in time");
            for (EchoClient client : clients) {
                assertArrayEquals(client.sent, client.received.toByteArray());
                client.channel.close();
            }
        }
    }

    @Test
    void leastConnectionsPlacementSpreadsConnectionsEvenly() throws Exception {
        server = EchoServer.start(ANY_LOOPBACK_PORT, 2, EventLoopGroup.Placement.LEAST_CONNECTIONS);
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                Socket socket = new Socket("127.0.0.1", server.address().getPort());
                sockets.add(socket);
                echoOnce(socket, "x" + i);
            }
            assertEquals(10, server.connectionCount());
            for (EventLoop loop : server.ioLoops()) {
                assertEquals(5, loop.connectionCount(), loop.name());
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    void aPeerThatHalfClosesStillGetsItsReplyThenTheConnectionCloses() throws Exception {
        server = EchoServer.start(ANY_LOOPBACK_PORT, 1, EventLoopGroup.Placement.ROUND_ROBIN);
        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            byte[] payload = randomBytes(7, 3_000_000); // more than the socket buffers hold
            CompletableFuture<byte[]> reply = CompletableFuture.supplyAsync(() -> readToEnd(socket));
            socket.getOutputStream().write(payload);
            socket.shutdownOutput();
            assertArrayEquals(payload, reply.get(20, TimeUnit.SECONDS), "all bytes, then end of stream");
        }
        Await.until("the server dropped the closed connection", () -> server.connectionCount() == 0);
    }

    @Test
    void shutdownHalfClosesOnlyAfterTheQueuedOutputIsWritten() throws Exception {
        byte[] payload = randomBytes(3, 2_000_000);
        server = new TcpServer("shutdown", ANY_LOOPBACK_PORT, 1, EventLoopGroup.Placement.ROUND_ROBIN);
        server.setConnectionCallback(connection -> {
            if (connection.isConnected()) {
                connection.send(payload);
                connection.shutdown();
            }
        });
        server.start();
        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            assertArrayEquals(payload, readToEnd(socket));
            socket.getOutputStream().write(1); // our side is still open; the server reads on
        }
    }

    @Test
    void sendsFromForeignThreadsKeepEachSendersOrder() throws Exception {
        int senders = 4;
        int perSender = 2000;
        AtomicReference<TcpConnection> accepted = new AtomicReference<>();
        CountDownLatch up = new CountDownLatch(1);
        server = new TcpServer("order", ANY_LOOPBACK_PORT, 1, EventLoopGroup.Placement.ROUND_ROBIN);
        server.setConnectionCallback(connection -> {
            if (connection.isConnected()) {
                accepted.set(connection);
                up.countDown();
            }
        });
        // The loop thread itself is sender number `senders`, sending whenever a byte arrives.
        AtomicLong loopSent = new AtomicLong();
        server.setMessageCallback((connection, input) -> {
            for (int i = 0; i < input.readableBytes(); i++) {
                connection.send(line(senders, (int) loopSent.getAndIncrement()));
            }
            input.skip(input.readableBytes());
        });
        server.start();
        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            assertTrue(up.await(5, TimeUnit.SECONDS));
            TcpConnection connection = accepted.get();
            ExecutorService pool = Executors.newFixedThreadPool(senders);
            CompletableFuture<String> all = CompletableFuture.supplyAsync(() ->
                    new String(readExactly(socket, expectedBytes(senders, perSender)), StandardCharsets.US_ASCII));
            for (int s = 0; s < senders; s++) {
                int sender = s;
                pool.submit(() -> {
                    for (int i = 0; i < perSender; i++) {
                        connection.send(line(sender, i));
                    }
                });
            }
            socket.getOutputStream().write(new byte[perSender]);
            pool.shutdown();
            String received = all.get(30, TimeUnit.SECONDS);
            int[] next = new int[senders + 1];
            for (String row : received.split("\n")) {
                String[] parts = row.split(":");
                int sender = Integer.parseInt(parts[0]);
                assertEquals(next[sender]++, Integer.parseInt(parts[1]), "sender " + sender + " out of order");
            }
            for (int s = 0; s <= senders; s++) {
                assertEquals(perSender, next[s]);
            }
        }
    }

    @Test
    void aPeerResettingMidWriteClosesOnlyThatConnection() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        server = new TcpServer("reset", ANY_LOOPBACK_PORT, 1, EventLoopGroup.Placement.ROUND_ROBIN);
        byte[] chunk = new byte[1 << 20];
        server.setConnectionCallback(connection -> {
            if (!connection.isConnected()) {
                closed.countDown();
            }
        });
        server.setMessageCallback((connection, input) -> {
            input.skip(input.readableBytes());
            for (int i = 0; i < 32; i++) {
                connection.send(chunk); // far more than the kernel buffers: output queues up
            }
        });
        server.start();
        Socket victim = new Socket("127.0.0.1", server.address().getPort());
        victim.getOutputStream().write('g');
        victim.getInputStream().read(new byte[1000]);
        victim.setSoLinger(true, 0); // close with RST while the server is writing
        victim.close();
        assertTrue(closed.await(10, TimeUnit.SECONDS), "the server noticed the reset and closed");
        Await.until("the connection was removed", () -> server.connectionCount() == 0);
    }

    @Test
    void highWaterMarkFiresWhenAReaderFallsBehind() throws Exception {
        CompletableFuture<Long> fired = new CompletableFuture<>();
        long mark = 4L * 1024 * 1024;
        server = new TcpServer("hwm", ANY_LOOPBACK_PORT, 1, EventLoopGroup.Placement.ROUND_ROBIN);
        server.setHighWaterMarkCallback((connection, queued) -> fired.complete(queued), mark);
        server.setConnectionCallback(connection -> {
            if (connection.isConnected()) {
                for (int i = 0; i < 16; i++) {
                    connection.send(new byte[1 << 20]);
                }
            }
        });
        server.start();
        try (Socket idleReader = new Socket("127.0.0.1", server.address().getPort())) {
            assertTrue(fired.get(10, TimeUnit.SECONDS) >= mark);
        }
    }

    @Test
    void writeCompleteFiresOnceTheOutputIsInTheKernel() throws Exception {
        CountDownLatch complete = new CountDownLatch(1);
        server = new TcpServer("wc", ANY_LOOPBACK_PORT, 1, EventLoopGroup.Placement.ROUND_ROBIN);
        server.setWriteCompleteCallback(connection -> complete.countDown());
        server.setMessageCallback((connection, input) -> connection.send(input));
        server.start();
        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            echoOnce(socket, "done?");
            assertTrue(complete.await(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void readingResumedInsideTheMessageCallbackDoesNotHandTheSameInputToANestedCallback() throws Exception {
        CountDownLatch partial = new CountDownLatch(1);
        server = new TcpServer("nested", ANY_LOOPBACK_PORT, 1, EventLoopGroup.Placement.ROUND_ROBIN);
        // Echoes two-byte frames. Between looking at a frame and taking it, reading is
        // paused and resumed on the loop thread, as a budget or a limit released by this
        // very frame would do.
        server.setMessageCallback((connection, input) -> {
            if (input.readableBytes() == 1) {
                partial.countDown();
            }
            while (input.readableBytes() >= 2 && connection.isReading()) {
                byte[] frame = Arrays.copyOfRange(input.array(), input.readerIndex(), input.readerIndex() + 2);
                connection.stopRead(TcpConnection.ReadPause.SHAPING);
                connection.startRead(TcpConnection.ReadPause.SHAPING);
                input.skip(2);
                connection.send(frame);
            }
        });
        server.start();
        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            socket.getOutputStream().write('a'); // an incomplete frame waits in the connection
            assertTrue(partial.await(5, TimeUnit.SECONDS));
            socket.getOutputStream().write("bcdefgh".getBytes(StandardCharsets.US_ASCII));
            assertEquals("abcdefgh", new String(readExactly(socket, 8), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aPausedConnectionIsNotReadUntilResumedAndThenGetsWhatItLeftWaiting() throws Exception {
        PauseAtBang pauseAtBang = new PauseAtBang();
        server = new TcpServer("pause", ANY_LOOPBACK_PORT, 1, EventLoopGroup.Placement.ROUND_ROBIN);
        server.setMessageCallback(pauseAtBang);
        server.start();
        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            socket.getOutputStream().write("ab!cd".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ab!", new String(readExactly(socket, 3), StandardCharsets.US_ASCII));
            socket.getOutputStream().write("ef".getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read(), "read while paused");
            socket.setSoTimeout(5000);
            pauseAtBang.paused().startRead(TcpConnection.ReadPause.SHAPING);
            assertEquals("cdef", new String(readExactly(socket, 4), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aConnectionTheServerDoesNotReadFromIsNotClosedAsIdle() throws Exception {
        server = new TcpServer("busy", ANY_LOOPBACK_PORT, 1, EventLoopGroup.Placement.ROUND_ROBIN);
        server.setIdleTimeout(Duration.ofMillis(300));
        server.setMessageCallback((connection, input) -> connection.send(input));
        server.start();
        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            echoOnce(socket, "before");
            server.pauseAll(TcpConnection.ReadPause.SERVER_BUSY);
            Thread.sleep(1200); // four idle timeouts during which the server reads nothing
            server.resumeAll(TcpConnection.ReadPause.SERVER_BUSY);
            echoOnce(socket, "after"); // still open, and read again
        }
    }

    @Test
    void aPeerThatOnlyTricklesPartOfAMessageIsIdle() throws Exception {
        server = new TcpServer("trickle", ANY_LOOPBACK_PORT, 1, EventLoopGroup.Placement.ROUND_ROBIN);
        server.setIdleTimeout(Duration.ofMillis(300));
        // Messages are lines: a line without its newline is not consumed.
        server.setMessageCallback((connection, input) -> {
            int newline = input.indexOf((byte) '\n', 0);
            if (newline >= 0) {
                input.skip(newline + 1);
            }
        });
        server.start();
        try (Socket trickler = new Socket("127.0.0.1", server.address().getPort())) {
            trickler.setSoTimeout(5000);
            CompletableFuture<Integer> closed = CompletableFuture.supplyAsync(() -> readOne(trickler));
            for (int i = 0; i < 100 && !closed.isDone(); i++) {
                trickler.getOutputStream().write('x');
                Thread.sleep(50); // the trickle's pace, not synchronisation
            }
            assertEquals(-1, closed.get(5, TimeUnit.SECONDS), "closed although bytes kept coming");
        }
    }

    @Test
    void silentConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        server = new TcpServer("idle", ANY_LOOPBACK_PORT, 1, EventLoopGroup.Placement.ROUND_ROBIN);
        server.setIdleTimeout(Duration.ofMillis(300));
        server.setMessageCallback((connection, input) -> connection.send(input));
        server.start();
        try (Socket silent = new Socket("127.0.0.1", server.address().getPort());
             Socket chatty = new Socket("127.0.0.1", server.address().getPort())) {
            long start = System.nanoTime();
            silent.setSoTimeout(5000);
            // The chatty one keeps talking while the silent one waits for the server to hang up.
            CompletableFuture<Integer> silentRead = CompletableFuture.supplyAsync(() -> readOne(silent));
            while (!silentRead.isDone() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) {
                echoOnce(chatty, "ping");
                Thread.sleep(50); // pacing the chatty client's traffic, not synchronisation
            }
            assertEquals(-1, silentRead.get(), "silent connection closed by the server");
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300));
            echoOnce(chatty, "still here");
        }
    }

    @Test
    void connectionsOverThePerAddressLimitAreClosedAtOnceAndAFloodIsLoggedOnce() throws Exception {
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("muchat.net.PeerLimit");
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        server = new TcpServer("capped", ANY_LOOPBACK_PORT, 2, EventLoopGroup.Placement.ROUND_ROBIN);
        server.setMaxConnectionsPerAddress(5);
        server.setMessageCallback((connection, input) -> connection.send(input));
        server.start();
        int port = server.address().getPort();
        List<Socket> admitted = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                admitted.add(new Socket("127.0.0.1", port));
                admitted.get(i).setSoTimeout(5000);
                echoOnce(admitted.get(i), "in " + i);
            }
            for (int i = 0; i < 50; i++) {
                try (Socket over = new Socket("127.0.0.1", port)) {
                    over.setSoTimeout(5000);
                    assertEquals(-1, readOne(over), "closed at once, without a byte");
                }
            }
            for (Socket socket : admitted) {
                echoOnce(socket, "still in");
            }
            for (Socket socket : admitted) {
                socket.close();
            }
            Await.until("the admitted connections closed", () -> server.connectionCount() == 0);
            try (Socket again = new Socket("127.0.0.1", port)) {
                again.setSoTimeout(5000);
                echoOnce(again, "welcome back");
            }
            List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(2, lines.size(), "one line as the flood starts, one as it ends: " + lines);
            assertTrue(lines.get(0).startsWith("refusing connections from 127.0.0.1"), lines.get(0));
            assertTrue(lines.get(1).contains("50 refused"), lines.get(1));
        } finally {
            logger.detachAppender(logs);
            for (Socket socket : admitted) {
                socket.close();
            }
        }
    }

    @Test
    void stopClosesConnectionsAndLeavesNoThreadBehind() throws Exception {
        Set<String> before = liveThreadNames();
        server = EchoServer.start(ANY_LOOPBACK_PORT, 2, EventLoopGroup.Placement.ROUND_ROBIN);
        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            echoOnce(socket, "hi");
            server.stop();
            socket.setSoTimeout(5000);
            assertEquals(-1, socket.getInputStream().read(), "connection closed by stop");
        }
        Await.until("threads left: " + liveThreadNames(), () -> liveThreadNames().equals(before));
        server = null;
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** A non-blocking echo client: writes its bytes as the socket allows and collects the echo. */
    private static final class EchoClient {
        final SocketChannel channel;
        final byte[] sent;
        final ByteBuffer toSend;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final ByteBuffer readBuffer = ByteBuffer.allocate(8192);

        EchoClient(SocketChannel channel, byte[] sent) {
            this.channel = channel;
            this.sent = sent;
            this.toSend = ByteBuffer.wrap(sent);
        }

        /** @return true once everything came back */
        boolean step(SelectionKey key) throws IOException {
            if (key.isWritable()) {
                channel.write(toSend);
                if (!toSend.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_READ);
                }
            }
            if (key.isReadable()) {
                readBuffer.clear();
                int n = channel.read(readBuffer);
                if (n > 0) {
                    received.write(readBuffer.array(), 0, n);
                }
            }
            return received.size() == sent.length;
        }
    }

    private static byte[] line(int sender, int i) {
        return (sender + ":" + i + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static int expectedBytes(int senders, int perSender) {
        int total = 0;
        for (int s = 0; s <= senders; s++) {
            for (int i = 0; i < perSender; i++) {
                total += line(s, i).length;
            }
        }
        return total;
    }

    private static void echoOnce(Socket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        assertArrayEquals(bytes, readExactly(socket, bytes.length));
    }

    private static byte[] readExactly(Socket socket, int n) {
        try {
            return socket.getInputStream().readNBytes(n);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] readToEnd(Socket socket) {
        try {
            return socket.getInputStream().readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int readOne(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            return in.read();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] randomBytes(long seed, int n) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static Set<String> liveThreadNames() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> !name.startsWith("ForkJoinPool") && !name.startsWith("pool-"))
                .collect(Collectors.toSet());
    }
}
