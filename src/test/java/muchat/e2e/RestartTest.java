package muchat.e2e;

import static muchat.e2e.ChatServerTest.login;
import static muchat.e2e.ChatServerTest.register;
import static muchat.e2e.WireClient.hasType;
import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.LOGIN;
import static muchat.protocol.MsgType.LOGIN_ACK;
import static muchat.protocol.MsgType.ONE_CHAT;
import static muchat.protocol.MsgType.SEND_ACK;
import static muchat.protocol.MsgType.SYNC;
import static muchat.protocol.MsgType.SYNC_DONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import muchat.it.MuchatProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Durability: what got SEND_ACK survives a SIGKILL of the server, and a SIGTERM refuses nothing it read. */
class RestartTest {

    @Test
    void messagesAcknowledgedBeforeASigkillAreDeliveredAfterTheRestart(@TempDir Path data) throws Exception {
        int port = freePort();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        try (MuchatProcess server = MuchatProcess.launch("restart", List.of("--host", "127.0.0.1",
                "--port", String.valueOf(port), "--data", data.toString()))) {
            long receiver;
            Map<String, Long> mids = new HashMap<>();
            try (WireClient sender = WireClient.nativeClient(address);
                 WireClient offline = WireClient.nativeClient(address)) {
                receiver = register(offline, "sleeper", "secret1");
                long senderId = register(sender, "writer", "secret1");
                login(sender, senderId, "secret1");
                for (int i = 1; i <= 200; i++) {
                    sender.send(ONE_CHAT, obj("toid", receiver, "msg", "before the crash " + i, "cmid", "k" + i));
                }
                for (int i = 1; i <= 200; i++) {
                    JsonNode ack = sender.await(SEND_ACK);
                    mids.put(ack.get("cmid").asText(), ack.get("mid").asLong());
                }
            }
            server.kill9();
            server.start();
            try (WireClient sender = WireClient.nativeClient(address);
                 WireClient back = WireClient.nativeClient(address)) {
                sender.send(LOGIN, obj("name", "writer", "password", "secret1"));
                sender.await(LOGIN_ACK);
                sender.send(ONE_CHAT, obj("toid", receiver, "msg", "before the crash 200", "cmid", "k200"));
                assertEquals(mids.get("k200"), sender.await(SEND_ACK).get("mid").asLong(), "a resend is not stored twice");

                login(back, receiver, "secret1");
                back.send(LOGIN, obj("id", receiver, "password", "secret1"));
                back.await(LOGIN_ACK);
                for (int i = 1; i <= 200; i++) {
                    JsonNode push = back.await(ONE_CHAT);
                    assertEquals(i, push.get("seq").asLong());
                    assertEquals("before the crash " + i, push.get("msg").asText());
                    assertEquals(mids.get("k" + i), push.get("mid").asLong());
                }
                assertEquals(200, back.await(SYNC_DONE).get("upto").asLong());
            }
        }
    }

    @Test
    void aSigtermAnswersEveryChatItReadWithSendAckAndDeliversIt(@TempDir Path data) throws Exception {
        int port = freePort();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        int senders = 4;
        int perSender = 2000;
        try (MuchatProcess server = MuchatProcess.launch("sigterm", List.of("--host", "127.0.0.1",
                "--port", String.valueOf(port), "--data", data.toString(), "--rate-limit", "100000"))) {
            long receiver;
            List<WireClient> clients = new ArrayList<>();
            try (WireClient offline = WireClient.nativeClient(address)) {
                receiver = register(offline, "listener", "secret1");
            }
            for (int s = 0; s < senders; s++) {
                WireClient c = WireClient.nativeClient(address);
                clients.add(c);
                login(c, register(c, "talker" + s, "secret1"), "secret1");
            }
            // Each sender streams chats until the server stops reading; SIGTERM comes mid-stream.
            CountDownLatch streaming = new CountDownLatch(senders);
            ExecutorService writers = Executors.newFixedThreadPool(senders);
            for (int s = 0; s < senders; s++) {
                WireClient c = clients.get(s);
                String prefix = "m" + s + "-";
                writers.execute(() -> {
                    try {
                        for (int i = 0; i < perSender; i++) {
                            c.send(ONE_CHAT, obj("toid", receiver, "msg", prefix + i, "cmid", "c" + i));
                            if (i == perSender / 4) {
                                streaming.countDown();
                            }
                        }
                    } catch (IOException closed) {
                        // the server stopped and closed: the rest was never sent
                    }
                });
            }
            assertTrue(streaming.await(20, TimeUnit.SECONDS));
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::stop);

            Map<String, Long> acked = new HashMap<>();
            for (int s = 0; s < senders; s++) {
                int next = 0;
                for (JsonNode frame : clients.get(s).framesUntilClosed()) {
                    assertEquals(SEND_ACK.code(), frame.get("msgid").asInt(), "a chat already sent was refused: " + frame);
                    assertEquals("c" + next++, frame.get("cmid").asText(), "SEND_ACKs out of order");
                    acked.put("m" + s + "-" + frame.get("cmid").asText().substring(1), frame.get("mid").asLong());
                }
                clients.get(s).close();
            }
            writers.shutdown();
            stopped.get(30, TimeUnit.SECONDS);
            assertEquals(0, server.exitValue());
            assertTrue(acked.size() > 0, "nothing was in flight");

            server.start();
            Map<String, Long> delivered = new HashMap<>();
            try (WireClient back = WireClient.nativeClient(address)) {
                back.send(LOGIN, obj("id", receiver, "password", "secret1"));
                back.await(LOGIN_ACK);
                while (true) {
                    JsonNode f = back.await(x -> true, "a push or SYNC_DONE");
                    if (!hasType(f, SYNC_DONE)) {
                        delivered.put(f.get("msg").asText(), f.get("mid").asLong());
                    } else if (f.path("more").asBoolean()) {
                        back.send(SYNC, obj("after", f.get("upto").asLong())); // the next page of the inbox
                    } else {
                        break;
                    }
                }
            }
            acked.forEach((text, mid) -> assertEquals(mid, delivered.get(text), "acknowledged, then lost: " + text));
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
