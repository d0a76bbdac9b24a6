package muchat.e2e;

import static muchat.e2e.ChatServerTest.login;
import static muchat.e2e.ChatServerTest.register;
import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.ADD_FRIEND;
import static muchat.protocol.MsgType.FRIEND_REPLY;
import static muchat.protocol.MsgType.FRIEND_REQUEST;
import static muchat.protocol.MsgType.HEARTBEAT;
import static muchat.protocol.MsgType.HEARTBEAT_ACK;
import static muchat.protocol.MsgType.KICKED;
import static muchat.protocol.MsgType.LOGIN;
import static muchat.protocol.MsgType.LOGINOUT;
import static muchat.protocol.MsgType.LOGIN_ACK;
import static muchat.protocol.MsgType.ONE_CHAT;
import static muchat.protocol.MsgType.PRESENCE;
import static muchat.protocol.MsgType.READ;
import static muchat.protocol.MsgType.RECV_ACK;
import static muchat.protocol.MsgType.SEND_ACK;
import static muchat.protocol.MsgType.SYNC_DONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * One user on several devices (docs/protocol.md section 2), over real sockets: every
 * device gets every push and keeps its own RECV_ACK position, a sixth device is refused,
 * a login on a device replaces that device only, what the user sends from one device is
 * shown on the others, and a classic client is the device {@code legacy}.
 */
class DevicesTest {
    private static final String PASSWORD = "secret1";
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
    void fiveDevicesGetTheSamePushesWithTheirOwnAckPositionsAndASixthIsRefused() throws IOException {
        long alice;
        try (WireClient bob = WireClient.nativeClient(server.address())) {
            long bobId = register(bob, "bob" + NAMES.incrementAndGet(), PASSWORD);
            login(bob, bobId, PASSWORD);
            alice = register(bob, "alice" + NAMES.incrementAndGet(), PASSWORD);
            List<WireClient> devices = new ArrayList<>();
            try {
                for (int d = 1; d <= 5; d++) {
                    WireClient device = WireClient.nativeClient(server.address());
                    devices.add(device);
                    assertEquals(0, login(device, alice, PASSWORD, "d" + d).get("acked").asLong());
                }
                try (WireClient sixth = WireClient.nativeClient(server.address())) {
                    sixth.send(LOGIN, obj("id", alice, "password", PASSWORD, "device", "d6"));
                    JsonNode refused = sixth.await(LOGIN_ACK);
                    assertEquals(16, refused.get("errno").asInt(), refused.toString());
                    assertTrue(refused.get("errmsg").asText().contains("5 devices"), refused.toString());
                }

                for (int n = 1; n <= 3; n++) {
                    bob.send(ONE_CHAT, obj("toid", alice, "msg", "hello " + n, "cmid", "h" + n));
                }
                List<Long> mids = null;
                for (WireClient device : devices) {
                    List<Long> got = new ArrayList<>();
                    for (int n = 1; n <= 3; n++) {
                        JsonNode push = device.await(ONE_CHAT);
                        assertEquals(n, push.get("seq").asLong());
                        assertEquals("hello " + n, push.get("msg").asText());
                        got.add(push.get("mid").asLong());
                    }
                    if (mids != null) {
                        assertEquals(mids, got, "every device gets the same messages");
                    }
                    mids = got;
                }
                ack(devices.get(0), 3);
                ack(devices.get(1), 1);
            } finally {
                for (WireClient device : devices) {
                    device.close();
                }
            }
        }

        try (WireClient d1 = WireClient.nativeClient(server.address());
             WireClient d2 = WireClient.nativeClient(server.address());
             WireClient d3 = WireClient.nativeClient(server.address());
             WireClient tablet = WireClient.nativeClient(server.address())) {
            assertEquals(3, loginAwaitingAck(d1, alice, "d1").get("acked").asLong());
            assertEquals(3, d1.await(SYNC_DONE).get("upto").asLong());
            assertFalse(d1.hasUnclaimed(ONE_CHAT), "d1 acknowledged everything: nothing is replayed");

            assertEquals(1, loginAwaitingAck(d2, alice, "d2").get("acked").asLong());
            assertEquals(2, d2.await(ONE_CHAT).get("seq").asLong());
            assertEquals(3, d2.await(ONE_CHAT).get("seq").asLong());
            d2.await(SYNC_DONE);

            assertEquals(0, loginAwaitingAck(d3, alice, "d3").get("acked").asLong());
            assertEquals(1, d3.await(ONE_CHAT).get("seq").asLong(), "d3 acknowledged nothing: all of it again");

            assertEquals(3, login(tablet, alice, PASSWORD, "tablet").get("acked").asLong(),
                    "a device new to the user starts where its most advanced device is");
        }
    }

    @Test
    void friendRequestsReachEveryDeviceAndAReadOnOneIsForwardedToTheOthers() throws IOException {
        try (WireClient phone = WireClient.nativeClient(server.address());
             WireClient laptop = WireClient.nativeClient(server.address());
             WireClient bob = WireClient.nativeClient(server.address())) {
            long alice = register(phone, "alice" + NAMES.incrementAndGet(), PASSWORD);
            long bobId = register(phone, "bob" + NAMES.incrementAndGet(), PASSWORD);
            login(phone, alice, PASSWORD, "phone");
            login(laptop, alice, PASSWORD, "laptop");
            login(bob, bobId, PASSWORD);

            bob.send(ADD_FRIEND, obj("friendid", alice));
            bob.await(ADD_FRIEND);
            for (WireClient device : List.of(phone, laptop)) {
                JsonNode request = device.await(FRIEND_REQUEST);
                assertEquals(bobId, request.get("id").asLong(), request.toString());
            }
            bob.send(ONE_CHAT, obj("toid", alice, "msg", "read me", "cmid", "r1"));
            long mid = phone.await(ONE_CHAT).get("mid").asLong();
            assertEquals(mid, laptop.await(ONE_CHAT).get("mid").asLong());

            phone.send(READ, obj("peer", bobId, "mid", mid));
            JsonNode receipt = bob.await(READ);
            assertEquals(alice, receipt.get("id").asLong(), receipt.toString());
            JsonNode forwarded = laptop.await(READ);
            assertEquals(alice, forwarded.get("id").asLong(), "the reader's own id: " + forwarded);
            assertEquals(bobId, forwarded.get("peer").asLong(), forwarded.toString());
            assertEquals(mid, forwarded.get("mid").asLong(), forwarded.toString());
            assertFalse(forwarded.has("seq"), "not stored, not numbered: " + forwarded);
        }
    }

    @Test
    void friendsHearOfTheFirstDeviceOnlineAndOfTheLastOneOffline() throws IOException {
        try (WireClient carol = WireClient.nativeClient(server.address());
             WireClient phone = WireClient.nativeClient(server.address());
             WireClient laptop = WireClient.nativeClient(server.address())) {
            long alice = register(phone, "alice" + NAMES.incrementAndGet(), PASSWORD);
            long carolId = register(phone, "carol" + NAMES.incrementAndGet(), PASSWORD);
            login(carol, carolId, PASSWORD);
            login(phone, alice, PASSWORD, "phone");
            phone.send(ADD_FRIEND, obj("friendid", carolId));
            phone.await(ADD_FRIEND);
            carol.await(FRIEND_REQUEST);
            carol.send(FRIEND_REPLY, obj("friendid", alice, "accept", true));
            carol.await(FRIEND_REPLY);
            phone.await(FRIEND_REPLY);

            login(laptop, alice, PASSWORD, "laptop");
            carol.expectSilence(500); // alice was online already
            phone.send(LOGINOUT, obj());
            carol.expectSilence(4500); // past the grace: the laptop is still logged in
            laptop.close();
            JsonNode offline = carol.await(PRESENCE);
            assertEquals(alice, offline.get("id").asLong(), offline.toString());
            assertEquals("offline", offline.get("state").asText(), offline.toString());
        }
    }

    @Test
    void aLoginOnADeviceKicksThatDeviceOnly() throws IOException {
        try (WireClient phone = WireClient.nativeClient(server.address());
             WireClient laptop = WireClient.nativeClient(server.address());
             WireClient newPhone = WireClient.nativeClient(server.address());
             WireClient bob = WireClient.nativeClient(server.address())) {
            long alice = register(phone, "alice" + NAMES.incrementAndGet(), PASSWORD);
            login(phone, alice, PASSWORD, "phone");
            login(laptop, alice, PASSWORD, "laptop");
            login(newPhone, alice, PASSWORD, "phone");

            assertTrue(phone.closedByServer(), "the older session of the phone is closed");
            assertTrue(phone.hasUnclaimed(KICKED), "after KICKED: " + phone.unclaimedText());

            login(bob, register(bob, "bob" + NAMES.incrementAndGet(), PASSWORD), PASSWORD);
            bob.send(ONE_CHAT, obj("toid", alice, "msg", "still there?", "cmid", "s1"));
            assertEquals("still there?", laptop.await(ONE_CHAT).get("msg").asText(), "the laptop stayed logged in");
            assertEquals("still there?", newPhone.await(ONE_CHAT).get("msg").asText());
        }
    }

    @Test
    void whatTheUserSendsFromOneDeviceIsShownOnTheOthersAndOnceOnTheSender() throws IOException {
        try (WireClient phone = WireClient.nativeClient(server.address());
             WireClient laptop = WireClient.nativeClient(server.address());
             WireClient bob = WireClient.nativeClient(server.address())) {
            long alice = register(phone, "alice" + NAMES.incrementAndGet(), PASSWORD);
            long bobId = register(bob, "bob" + NAMES.incrementAndGet(), PASSWORD);
            login(phone, alice, PASSWORD, "phone");
            login(laptop, alice, PASSWORD, "laptop");
            login(bob, bobId, PASSWORD);

            phone.send(ONE_CHAT, obj("toid", bobId, "msg", "from my phone", "cmid", "p1"));
            JsonNode sent = phone.await(SEND_ACK);
            assertEquals(1, sent.get("seq").asLong(), "SEND_ACK numbers the sender's own copy");

            JsonNode copy = laptop.await(ONE_CHAT);
            assertEquals(alice, copy.get("id").asLong(), "the sender is the user");
            assertEquals(bobId, copy.get("toid").asLong());
            assertEquals("from my phone", copy.get("msg").asText());
            assertEquals(sent.get("mid").asLong(), copy.get("mid").asLong());
            assertEquals(1, copy.get("seq").asLong());
            assertEquals("from my phone", bob.await(ONE_CHAT).get("msg").asText());

            bob.send(ONE_CHAT, obj("toid", alice, "msg", "got it", "cmid", "b1"));
            JsonNode reply = phone.await(ONE_CHAT);
            assertEquals("got it", reply.get("msg").asText(), "the phone was not pushed its own message first");
            assertEquals(2, reply.get("seq").asLong());
            assertFalse(phone.hasUnclaimed(ONE_CHAT));
            assertEquals("got it", laptop.await(ONE_CHAT).get("msg").asText());
        }
    }

    @Test
    void aDeviceThatLoggedInOnceIsShownWhatTheUserSentWhileItWasAway() throws IOException {
        try (WireClient main = WireClient.nativeClient(server.address());
             WireClient bob = WireClient.nativeClient(server.address())) {
            long alice = register(main, "alice" + NAMES.incrementAndGet(), PASSWORD);
            long bobId = register(bob, "bob" + NAMES.incrementAndGet(), PASSWORD);
            login(main, alice, PASSWORD);
            main.send(ONE_CHAT, obj("toid", bobId, "msg", "one device", "cmid", "m1"));
            JsonNode first = main.await(SEND_ACK);
            assertFalse(first.has("seq"), "with the default device only, nothing is copied: " + first);

            try (WireClient laptop = WireClient.nativeClient(server.address())) {
                login(laptop, alice, PASSWORD, "laptop");
            }
            main.send(ONE_CHAT, obj("toid", bobId, "msg", "while the laptop is away", "cmid", "m2"));
            assertEquals(1, main.await(SEND_ACK).get("seq").asLong(), "the laptop is on record: the copy is numbered");

            try (WireClient laptop = WireClient.nativeClient(server.address())) {
                loginAwaitingAck(laptop, alice, "laptop");
                JsonNode copy = laptop.await(ONE_CHAT);
                assertEquals("while the laptop is away", copy.get("msg").asText());
                assertEquals(alice, copy.get("id").asLong());
            }
        }
    }

    @Test
    void aClassicClientIsTheDeviceLegacyAndIsNeverShownWhatTheUserSent() throws Exception {
        try (WireClient phone = WireClient.nativeClient(server.address());
             WireClient bob = WireClient.nativeClient(server.address());
             ClassicClient classic = new ClassicClient(server.address())) {
            long alice = register(phone, "alice" + NAMES.incrementAndGet(), PASSWORD);
            long bobId = register(bob, "bob" + NAMES.incrementAndGet(), PASSWORD);
            login(phone, alice, PASSWORD, "phone");
            login(bob, bobId, PASSWORD);
            classic.send(LOGIN, obj("id", alice, "password", PASSWORD));
            assertEquals(0, classic.next(LOGIN_ACK).get("errno").asInt());

            phone.send(ONE_CHAT, obj("toid", bobId, "msg", "from my phone", "cmid", "p1"));
            phone.await(SEND_ACK);
            assertEquals("from my phone", bob.await(ONE_CHAT).get("msg").asText());
            bob.send(ONE_CHAT, obj("toid", alice, "msg", "hi alice", "cmid", "b1"));
            assertEquals("hi alice", classic.next(ONE_CHAT).get("msg").asText(),
                    "the classic client shows what it was sent, and not what the phone sent");
            assertEquals("hi alice", phone.await(ONE_CHAT).get("msg").asText(), "the phone was not kicked");
            assertTrue(classic.showsNothingFor(200));
        }
    }

    /** RECV_ACK, then a HEARTBEAT answered after it: the ack has been taken when this returns. */
    private static void ack(WireClient device, long seq) throws IOException {
        device.send(RECV_ACK, obj("seq", seq));
        device.send(HEARTBEAT, obj());
        device.await(HEARTBEAT_ACK);
    }

    private static JsonNode loginAwaitingAck(WireClient c, long id, String device) throws IOException {
        c.send(LOGIN, obj("id", id, "password", PASSWORD, "device", device));
        JsonNode ack = c.await(LOGIN_ACK);
        assertEquals(0, ack.get("errno").asInt(), ack.toString());
        return ack;
    }
}
