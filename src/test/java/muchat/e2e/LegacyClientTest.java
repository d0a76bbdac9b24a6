package muchat.e2e;

import static muchat.e2e.ChatServerTest.login;
import static muchat.e2e.ChatServerTest.register;
import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.ADD_GROUP;
import static muchat.protocol.MsgType.CREATE_GROUP;
import static muchat.protocol.MsgType.HEARTBEAT;
import static muchat.protocol.MsgType.HEARTBEAT_ACK;
import static muchat.protocol.MsgType.LOGIN;
import static muchat.protocol.MsgType.LOGIN_ACK;
import static muchat.protocol.MsgType.ONE_CHAT;
import static muchat.protocol.MsgType.REG;
import static muchat.protocol.MsgType.REG_ACK;
import static muchat.protocol.MsgType.SEND_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The classic ChatClient, as it really reads (see {@link ClassicClient}): every message
 * shown, once, in order, with the client staying up (docs/protocol.md section 7).
 */
class LegacyClientTest {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static ServerFixture server;

    @BeforeAll
    static void startServer() throws IOException {
        server = new ServerFixture();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void aBurstOfTwentyMessagesIsShownWholeOnceAndInOrder() throws Exception {
        try (ClassicClient classic = new ClassicClient(server.address()); WireClient sender = nativeUser()) {
            long id = classicLogin(classic, classicRegister(classic));
            for (int i = 1; i <= 20; i++) {
                sender.send(ONE_CHAT, obj("toid", id, "msg", "burst " + i, "cmid", "b" + i));
            }
            for (int i = 1; i <= 20; i++) {
                assertEquals("burst " + i, classic.next(ONE_CHAT).get("msg").asText());
            }
            assertTrue(classic.showsNothingFor(200));
        }
    }

    @Test
    void aLoginWithFiftyWaitingMessagesAndTenGroupsFitsOneReadAndShowsEveryMessage() throws Exception {
        long id;
        try (WireClient owner = nativeUser(); ClassicClient classic = new ClassicClient(server.address())) {
            id = classicLogin(classic, classicRegister(classic));
            for (int g = 0; g < 10; g++) {
                owner.send(CREATE_GROUP, obj("groupname", "club" + g, "groupdesc", "the club number " + g));
                classic.send(ADD_GROUP, obj("groupid", owner.await(CREATE_GROUP).get("groupid").asLong()));
            }
            classic.send(HEARTBEAT, obj());
            classic.next(HEARTBEAT_ACK); // the joins before it are done
        }
        try (WireClient sender = nativeUser()) {
            for (int i = 1; i <= 50; i++) {
                sender.send(ONE_CHAT, obj("toid", id, "msg", "while you were away " + i, "cmid", "w" + i));
                sender.await(SEND_ACK);
            }
        }
        try (ClassicClient classic = new ClassicClient(server.address())) {
            classic.send(LOGIN, obj("id", id, "password", "secret1"));
            JsonNode ack = classic.next(LOGIN_ACK); // one read: the client did not abort on it
            assertEquals(0, ack.get("errno").asInt());
            assertTrue(ack.has("groups"), "some groups fit: " + ack);
            for (JsonNode text : ack.get("groups")) {
                JsonNode group = WireClient.JSON.readTree(text.asText());
                for (JsonNode userText : group.get("users")) {
                    JsonNode user = WireClient.JSON.readTree(userText.asText());
                    if (user.get("id").asLong() == id) {
                        assertEquals("online", user.get("state").asText(), "the user's own entry");
                    }
                }
            }
            List<String> shown = new ArrayList<>();
            for (JsonNode text : ack.path("offlinemsg")) {
                shown.add(WireClient.JSON.readTree(text.asText()).get("msg").asText());
            }
            while (shown.size() < 50) {
                shown.add(classic.next(ONE_CHAT).get("msg").asText());
            }
            for (int i = 1; i <= 50; i++) {
                assertEquals("while you were away " + i, shown.get(i - 1));
            }
            assertTrue(classic.showsNothingFor(200));
        }
    }

    @Test
    void messagesNotYetWrittenWhenTheClientLeavesAreShownAtItsNextLogin() throws Exception {
        long id;
        String last;
        try (WireClient sender = nativeUser()) {
            try (ClassicClient classic = new ClassicClient(server.address())) {
                id = classicLogin(classic, classicRegister(classic));
                for (int i = 1; i <= 20; i++) {
                    sender.send(ONE_CHAT, obj("toid", id, "msg", "m" + (100 + i), "cmid", "u" + i));
                }
                last = classic.next(ONE_CHAT).get("msg").asText(); // shows one, then quits
            }
            for (int i = 1; i <= 20; i++) {
                sender.await(SEND_ACK);
            }
        }
        try (ClassicClient classic = new ClassicClient(server.address())) {
            classic.send(LOGIN, obj("id", id, "password", "secret1"));
            JsonNode ack = classic.next(LOGIN_ACK);
            List<Integer> shown = new ArrayList<>();
            for (JsonNode text : ack.path("offlinemsg")) {
                shown.add(Integer.parseInt(WireClient.JSON.readTree(text.asText()).get("msg").asText().substring(1)));
            }
            while (shown.isEmpty() || shown.get(shown.size() - 1) < 120) {
                shown.add(Integer.parseInt(classic.next(ONE_CHAT).get("msg").asText().substring(1)));
            }
            int lastShown = Integer.parseInt(last.substring(1));
            // Written to the kernel before the client closed: delivered. At most the one in flight.
            assertTrue(shown.get(0) <= lastShown + 2, "lost between " + last + " and " + shown);
            for (int i = 1; i < shown.size(); i++) {
                assertEquals(shown.get(i - 1) + 1, shown.get(i));
            }
        }
    }

    @Test
    void aClassicClientThatOnlyListensIsNeverClosedForSilence() throws Exception {
        try (ServerFixture quick = new ServerFixture("--idle-timeout", "1");
             ClassicClient classic = new ClassicClient(quick.address())) {
            long id = classicLogin(classic, classicRegister(classic));
            for (int round = 0; round < 3; round++) {
                try (WireClient silent = WireClient.nativeClient(quick.address())) {
                    assertTrue(silent.closedByServer(), "a silent native connection is closed");
                }
            }
            try (WireClient sender = WireClient.nativeClient(quick.address())) {
                login(sender, register(sender, "talker", "secret1"), "secret1");
                sender.send(ONE_CHAT, obj("toid", id, "msg", "still there?"));
                assertEquals("still there?", classic.next(ONE_CHAT).get("msg").asText());
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static long classicRegister(ClassicClient classic) throws InterruptedException, IOException {
        classic.send(REG, obj("name", "classic" + NAMES.incrementAndGet(), "password", "secret1"));
        JsonNode ack = classic.next(REG_ACK);
        assertEquals(0, ack.get("errno").asInt());
        return ack.get("id").asLong();
    }

    private static long classicLogin(ClassicClient classic, long id) throws InterruptedException, IOException {
        classic.send(LOGIN, obj("id", id, "password", "secret1"));
        assertEquals(0, classic.next(LOGIN_ACK).get("errno").asInt());
        return id;
    }

    private static WireClient nativeUser() throws IOException {
        WireClient c = WireClient.nativeClient(server.address());
        login(c, register(c, "native" + NAMES.incrementAndGet(), "secret1"), "secret1");
        return c;
    }
}
