package muchat.e2e;

import static muchat.e2e.ChatServerTest.login;
import static muchat.e2e.ChatServerTest.register;
import static muchat.e2e.WireClient.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import muchat.it.MuchatProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Durability: what got SEND_ACK survives a SIGKILL of the server. */
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
                    sender.send(6, obj("toid", receiver, "msg", "before the crash " + i, "cmid", "k" + i));
                }
                for (int i = 1; i <= 200; i++) {
                    JsonNode ack = sender.await(103);
                    mids.put(ack.get("cmid").asText(), ack.get("mid").asLong());
                }
            }
            server.kill9();
            server.start();
            try (WireClient sender = WireClient.nativeClient(address);
                 WireClient back = WireClient.nativeClient(address)) {
                sender.send(1, obj("name", "writer", "password", "secret1"));
                sender.await(2);
                sender.send(6, obj("toid", receiver, "msg", "before the crash 200", "cmid", "k200"));
                assertEquals(mids.get("k200"), sender.await(103).get("mid").asLong(), "a resend is not stored twice");

                login(back, receiver, "secret1");
                back.send(1, obj("id", receiver, "password", "secret1"));
                back.await(2);
                for (int i = 1; i <= 200; i++) {
                    JsonNode push = back.await(6);
                    assertEquals(i, push.get("seq").asLong());
                    assertEquals("before the crash " + i, push.get("msg").asText());
                    assertEquals(mids.get("k" + i), push.get("mid").asLong());
                }
                assertEquals(200, back.await(106).get("upto").asLong());
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
