package muchat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import muchat.codec.FrameError;
import muchat.codec.FrameSink;
import muchat.codec.TlvCodec;
import muchat.net.Buffer;
import muchat.protocol.ChatMessage;
import muchat.protocol.LoginAck;
import muchat.protocol.Message;
import muchat.protocol.MsgType;
import muchat.protocol.SendAck;
import muchat.protocol.SyncDone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Drives the real client over loopback against a scripted server, one connection at a time. */
@Timeout(30)
class ChatClientTest {
    private static final ChatClient.Timing FAST = new ChatClient.Timing(50, 200, 30_000);

    private record Frame(int msgid, ObjectNode body) {
    }

    /** One accepted connection of the scripted server, read with blocking IO. */
    private static final class Conn implements AutoCloseable {
        private final Socket socket;
        private final TlvCodec codec = new TlvCodec(TlvCodec.DEFAULT_MAX_FRAME);
        private final Buffer in = new Buffer();
        private final Deque<Frame> frames = new ArrayDeque<>();

        Conn(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(5_000);
        }

        /** The next frame of type {@code type}, skipping others (acks, heartbeats). */
        Frame next(MsgType type) throws IOException {
            byte[] chunk = new byte[4096];
            while (true) {
                while (!frames.isEmpty()) {
                    Frame f = frames.poll();
                    if (f.msgid() == type.code()) {
                        return f;
                    }
                }
                int n = socket.getInputStream().read(chunk);
                if (n < 0) {
                    throw new IOException("client closed while we waited for " + type);
                }
                codec.decode(in.append(chunk, 0, n), new FrameSink() {
                    @Override
                    public void frame(int msgid, ObjectNode body) {
                        frames.add(new Frame(msgid, body));
                    }

                    @Override
                    public void error(FrameError error) {
                        throw new AssertionError("client sent a bad frame: " + error);
                    }
                });
            }
        }

        void send(Message... messages) throws IOException {
            for (Message m : messages) {
                ByteBuffer frame = codec.encode(m).detach();
                socket.getOutputStream().write(frame.array(), frame.position(), frame.remaining());
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private final ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();

    ChatClientTest() throws IOException {
        server.setSoTimeout(5_000);
    }

    private Conn accept() throws IOException {
        return new Conn(server.accept());
    }

    @AfterEach
    void closeServer() throws IOException {
        server.close();
    }

    private CompletableFuture<Integer> start(BufferedReader stdin, ChatClient.Timing timing) {
        PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        ChatClient client = new ChatClient(
                new InetSocketAddress(server.getInetAddress(), server.getLocalPort()), stdin, out, timing);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return client.run();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private String output() {
        return output.toString(StandardCharsets.UTF_8);
    }

    private static long count(String text, String part) {
        return text.lines().filter(l -> l.contains(part)).count();
    }

    @Test
    void aDroppedConnectionIsResumedWithoutRepeatsAndTheChatResentWithItsCmid() throws Exception {
        CompletableFuture<Integer> exit = start(new BufferedReader(new StringReader("1\n1\nsecret\nchat:2:hello bob\n")), FAST);
        ChatMessage waiting = ChatMessage.toUser(2, "bob", 1, "hi alice", 0, 70).withSeq(1L);
        String cmid;
        try (Conn first = accept()) {
            Frame login = first.next(MsgType.LOGIN);
            assertEquals(1, login.body().get("id").intValue());
            first.send(LoginAck.ok(1, "alice", List.of(), List.of(), 0), waiting, new SyncDone(1, false));
            Frame chat = first.next(MsgType.ONE_CHAT);
            assertEquals("hello bob", chat.body().get("msg").textValue());
            cmid = chat.body().get("cmid").textValue();
        } // dropped before SEND_ACK
        try (Conn second = accept()) {
            Frame login = second.next(MsgType.LOGIN);
            assertEquals("secret", login.body().get("password").textValue());
            second.send(LoginAck.ok(1, "alice", List.of(), List.of(), 0), waiting, new SyncDone(1, false));
            Frame resent = second.next(MsgType.ONE_CHAT);
            assertEquals(cmid, resent.body().get("cmid").textValue());
            second.send(SendAck.of(cmid, 71, 0));
            assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        }
        String out = output();
        assertEquals(1, count(out, "bob(2) -> you: hi alice"), out);
        assertEquals(1, count(out, "connection lost; reconnecting"), out);
        assertEquals(1, count(out, "reconnected as alice"), out);
        assertEquals(1, count(out, "mid 71"), out);
    }

    @Test
    void anIdleClientSendsHeartbeatsAndQuitsCleanlyAtEndOfInput() throws Exception {
        PipedOutputStream keyboard = new PipedOutputStream();
        BufferedReader stdin = new BufferedReader(new InputStreamReader(new PipedInputStream(keyboard), StandardCharsets.UTF_8));
        CompletableFuture<Integer> exit = start(stdin, new ChatClient.Timing(50, 200, 1));
        try (Conn conn = accept()) {
            conn.next(MsgType.HEARTBEAT);
            keyboard.close();
            assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        }
        assertTrue(output().contains("1. login"), output());
    }

    @Test
    void atTheMenuAConnectionClosedForWaitingTooLongToLogInIsReplacedQuietly() throws Exception {
        PipedOutputStream keyboard = new PipedOutputStream();
        BufferedReader stdin = new BufferedReader(new InputStreamReader(new PipedInputStream(keyboard), StandardCharsets.UTF_8));
        CompletableFuture<Integer> exit = start(stdin, new ChatClient.Timing(50, 200, 1));
        accept().close(); // what the server's login timeout does to a connection without a user
        try (Conn second = accept()) {
            second.next(MsgType.HEARTBEAT); // the client uses the new connection
            keyboard.write("1\n1\nsecret\n".getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
            second.next(MsgType.LOGIN);
            second.send(LoginAck.ok(1, "alice", List.of(), List.of(), 0), new SyncDone(0, false));
            keyboard.close();
            assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        }
        assertEquals(0, count(output(), "connection lost"), output());
    }

    @Test
    void aServerThatIsNotThereIsReportedAndExitsWithOne() throws Exception {
        int port = server.getLocalPort();
        server.close();
        ChatClient client = new ChatClient(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                new BufferedReader(new StringReader("")), new PrintStream(output, true, StandardCharsets.UTF_8), FAST);
        assertEquals(1, client.run());
        assertTrue(output().contains("cannot connect"), output());
    }
}
