package muchat.e2e;

import static muchat.e2e.ChatServerTest.login;
import static muchat.e2e.ChatServerTest.register;
import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.ADD_GROUP;
import static muchat.protocol.MsgType.CREATE_GROUP;
import static muchat.protocol.MsgType.GROUP_CHAT;
import static muchat.protocol.MsgType.HEARTBEAT;
import static muchat.protocol.MsgType.HEARTBEAT_ACK;
import static muchat.protocol.MsgType.HISTORY;
import static muchat.protocol.MsgType.LOGIN;
import static muchat.protocol.MsgType.ONE_CHAT;
import static muchat.protocol.MsgType.REG;
import static muchat.protocol.MsgType.SEND_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import muchat.protocol.MsgType;
import org.junit.jupiter.api.Test;

/**
 * One client's excess never delays another's requests, and never pins unbounded memory:
 * each connection over a bound is simply not read from (docs/protocol.md section 6.5).
 */
class OverloadTest {

    @Test
    void aPipelinedFloodFromAClientThatLeftDoesNotHoldUpAnotherUserOnTheSameStrand() throws Exception {
        // One logic strand: the flood and the other user's requests share it.
        try (ServerFixture server = new ServerFixture("--logic-threads", "1");
             WireClient other = WireClient.nativeClient(server.address())) {
            long id = register(other, "patient", "secret1");
            login(other, id, "secret1");
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int i = 0; i < 4000; i++) {
                flood.write(frame(LOGIN, "{\"id\":" + id + ",\"password\":\"guess-" + i + "\"}"));
            }
            try (Socket flooder = new Socket(server.address().getAddress(), server.address().getPort())) {
                flooder.getOutputStream().write(flood.toByteArray()); // every login costs a password hash
            }
            long worst = 0;
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                other.send(HEARTBEAT, obj());
                other.await(HEARTBEAT_ACK);
                worst = Math.max(worst, (System.nanoTime() - start) / 1_000_000);
            }
            // At most --max-pending password hashes run ahead of it; before, all 4,000 did.
            assertTrue(worst < 250, "a heartbeat waited " + worst + " ms behind the flood");
        }
    }

    @Test
    void aClientThatDoesNotReadItsPushesIsCaughtUpInOrderOnceItReads() throws Exception {
        try (ServerFixture server = new ServerFixture("--output-limit", "256", "--rate-limit", "100000");
             WireClient sender = WireClient.nativeClient(server.address());
             WireClient sleeper = WireClient.nativeClient(server.address())) {
            login(sender, register(sender, "chatty", "secret1"), "secret1");
            long sleeperId = register(sleeper, "sleepy", "secret1");
            login(sleeper, sleeperId, "secret1");
            String text = "x".repeat(3000);
            int count = 4000; // 12 MB of pushes: more than the kernel's socket buffers take
            for (int i = 1; i <= count; i++) {
                sender.send(ONE_CHAT, obj("toid", sleeperId, "msg", text + i, "cmid", "s" + i));
            }
            for (int i = 1; i <= count; i++) {
                sender.await(SEND_ACK);
            }
            long held = server.bufferedBytes();
            // Pushes stop at the limit (256 KiB); what was sent before the check saw it can
            // overshoot, and 16 limits is where the server would give up on the client.
            assertTrue(held <= 16 * 256 * 1024, "the server queued " + held + " bytes for a client that does not read");
            for (int i = 1; i <= count; i++) {
                assertEquals(i, sleeper.await(ONE_CHAT).get("seq").asLong(), "pushes in seq order, none missing");
            }
        }
    }

    @Test
    void clientsThatAskForHistoryAndNeverReadPinNoMoreThanTheirOutputLimitsAndOthersAreServed() throws Exception {
        int limitKib = 64;
        try (ServerFixture server = new ServerFixture("--output-limit", String.valueOf(limitKib),
                "--rate-limit", "100000");
             WireClient writer = WireClient.nativeClient(server.address());
             WireClient other = WireClient.nativeClient(server.address())) {
            login(writer, register(writer, "historian", "secret1"), "secret1");
            login(other, register(other, "bystander", "secret1"), "secret1");
            writer.send(CREATE_GROUP, obj("groupname", "archive", "groupdesc", "long reads"));
            long group = writer.await(CREATE_GROUP).get("groupid").asLong();
            String page = "h".repeat(4000);
            for (int i = 0; i < 100; i++) {
                writer.send(GROUP_CHAT, obj("groupid", group, "msg", page, "cmid", "h" + i));
            }
            for (int i = 0; i < 100; i++) {
                writer.await(SEND_ACK);
            }
            // Eight members ask for 100 x 4,000 characters of history over and over and never read.
            ByteArrayOutputStream many = new ByteArrayOutputStream();
            for (int i = 0; i < 300; i++) {
                many.write(frame(HISTORY, "{\"groupid\":" + group + ",\"limit\":100}"));
            }
            byte[] requests = many.toByteArray();
            List<Socket> greedy = new ArrayList<>();
            ExecutorService writers = Executors.newFixedThreadPool(8);
            try {
                for (int c = 0; c < 8; c++) {
                    Socket s = new Socket(server.address().getAddress(), server.address().getPort());
                    greedy.add(s);
                    byte[] login = joiner("greedy" + c, group);
                    byte[] all = requests;
                    writers.execute(() -> {
                        try {
                            s.getOutputStream().write(login);
                            s.getOutputStream().write(all); // blocks once the server stops reading
                        } catch (IOException closed) {
                            // closed by the server (slow reader) or by the test
                        }
                    });
                }
                long most = 0;
                long end = System.nanoTime() + 3_000_000_000L;
                while (System.nanoTime() < end) {
                    most = Math.max(most, server.bufferedBytes());
                    long start = System.nanoTime();
                    other.send(HEARTBEAT, obj());
                    other.await(HEARTBEAT_ACK);
                    assertTrue((System.nanoTime() - start) / 1_000_000 < 2000, "another user waited");
                }
                // Each greedy client: its limit, plus the replies to the requests read before
                // reading stopped; beyond 16 limits it is closed.
                long bound = 8L * 17 * limitKib * 1024;
                assertTrue(most <= bound, "the server held " + most + " bytes for clients that do not read");
            } finally {
                for (Socket s : greedy) {
                    s.close();
                }
                writers.shutdownNow();
            }
        }
    }

    /** REG, LOGIN and ADD_GROUP of a new user, pipelined: a connection's requests run in order. */
    private static byte[] joiner(String name, long group) {
        String credentials = "{\"name\":\"" + name + "\",\"password\":\"secret1\"}";
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(frame(REG, credentials));
        all.writeBytes(frame(LOGIN, credentials));
        all.writeBytes(frame(ADD_GROUP, "{\"groupid\":" + group + "}"));
        return all.toByteArray();
    }

    /** A native frame, built here by hand. */
    private static byte[] frame(MsgType type, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(6 + body.length).putShort((short) type.code()).putInt(body.length).put(body).array();
    }
}
