package muchat.e2e;

import static muchat.e2e.ChatServerTest.login;
import static muchat.e2e.ChatServerTest.register;
import static muchat.e2e.WireClient.hasType;
import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.ADD_FRIEND;
import static muchat.protocol.MsgType.FRIEND_REPLY;
import static muchat.protocol.MsgType.FRIEND_REQUEST;
import static muchat.protocol.MsgType.HEARTBEAT;
import static muchat.protocol.MsgType.HEARTBEAT_ACK;
import static muchat.protocol.MsgType.HISTORY;
import static muchat.protocol.MsgType.HISTORY_ACK;
import static muchat.protocol.MsgType.LOGIN;
import static muchat.protocol.MsgType.LOGINOUT;
import static muchat.protocol.MsgType.LOGIN_ACK;
import static muchat.protocol.MsgType.ONE_CHAT;
import static muchat.protocol.MsgType.PRESENCE;
import static muchat.protocol.MsgType.SYNC_DONE;
import static muchat.protocol.MsgType.TYPING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import muchat.protocol.MsgType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Friend requests (ADD_FRIEND, 116 FRIEND_REQUEST, 117 FRIEND_REPLY), PRESENCE (115) and
 * TYPING (114) on one real server, through real sockets.
 */
class FriendRequestTest {
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

    // ---- friend requests ------------------------------------------------------------------------

    @Test
    void twoUsersBecomeFriendsByRequestAndAccept() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            long ida = loggedIn(a);
            long idb = loggedIn(b);
            a.send(ADD_FRIEND, obj("friendid", idb));
            JsonNode ack = a.await(ADD_FRIEND);
            assertEquals(0, ack.get("errno").asInt());
            assertTrue(ack.get("pending").asBoolean(), "a request, not a friendship: " + ack);
            assertTrue(friendIds(relogin(a, ida)).isEmpty(), "not friends before the answer");

            JsonNode request = b.await(FRIEND_REQUEST);
            assertEquals(ida, request.get("id").asLong());
            assertTrue(request.get("name").asText().startsWith("fr"));
            assertTrue(request.get("seq").asLong() > 0, "in the inbox: " + request);

            b.send(FRIEND_REPLY, obj("friendid", ida, "accept", true));
            assertEquals(0, b.await(FRIEND_REPLY).get("errno").asInt());
            JsonNode reply = a.await(f -> hasType(f, FRIEND_REPLY) && f.has("seq"), "the reply");
            assertEquals(idb, reply.get("id").asLong());
            assertTrue(reply.get("accept").asBoolean());

            assertEquals(List.of(idb), friendIds(relogin(a, ida)));
            assertEquals(List.of(ida), friendIds(relogin(b, idb)));
            a.send(ADD_FRIEND, obj("friendid", idb));
            assertFalse(a.await(ADD_FRIEND).has("pending"), "adding a friend again is ok: " + a);
        }
    }

    @Test
    void aRejectedRequestLeavesThemStrangers() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            long ida = loggedIn(a);
            long idb = loggedIn(b);
            a.send(ADD_FRIEND, obj("friendid", idb));
            a.await(ADD_FRIEND);
            b.await(FRIEND_REQUEST);
            b.send(FRIEND_REPLY, obj("friendid", ida, "accept", false));
            assertEquals(0, b.await(FRIEND_REPLY).get("errno").asInt());
            assertFalse(a.await(FRIEND_REPLY).get("accept").asBoolean());
            b.send(FRIEND_REPLY, obj("friendid", ida, "accept", true));
            assertEquals(15, b.await(FRIEND_REPLY).get("errno").asInt(), "the request is gone");
            assertTrue(friendIds(relogin(a, ida)).isEmpty());
            assertTrue(friendIds(relogin(b, idb)).isEmpty());
        }
    }

    @Test
    void requestAndReplyWaitInTheInboxUntilLoginAndAreNoChats() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            long ida = loggedIn(a);
            long idb = register(b, uniqueName(), "secret1");
            a.send(ADD_FRIEND, obj("friendid", idb));
            a.await(ADD_FRIEND);
            a.send(LOGINOUT, obj());

            b.send(LOGIN, obj("id", idb, "password", "secret1"));
            b.await(LOGIN_ACK);
            JsonNode request = b.await(FRIEND_REQUEST);
            assertEquals(ida, request.get("id").asLong());
            b.await(SYNC_DONE);
            b.send(FRIEND_REPLY, obj("friendid", ida, "accept", true));
            b.await(FRIEND_REPLY);

            a.send(LOGIN, obj("id", ida, "password", "secret1"));
            assertEquals(List.of(idb), friendIds(a.await(LOGIN_ACK)));
            JsonNode reply = a.await(FRIEND_REPLY);
            assertEquals(idb, reply.get("id").asLong());
            assertTrue(reply.get("accept").asBoolean());
            a.await(SYNC_DONE);

            a.send(HISTORY, obj("peer", idb));
            assertEquals(0, a.await(HISTORY_ACK).get("messages").size(), "requests are not chat history");
        }
    }

    @Test
    void aRepeatedRequestIsANoOp() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            loggedIn(a);
            long idb = loggedIn(b);
            a.send(ADD_FRIEND, obj("friendid", idb));
            a.await(ADD_FRIEND);
            b.await(FRIEND_REQUEST);
            a.send(ADD_FRIEND, obj("friendid", idb));
            assertTrue(a.await(ADD_FRIEND).get("pending").asBoolean());
            b.expectSilence(500);
        }
    }

    @Test
    void twoClassicClientsBecomeFriendsByAddingEachOther() throws Exception {
        long[] ids = new long[2];
        try (WireClient reg = connect()) {
            ids[0] = register(reg, uniqueName(), "secret1");
            ids[1] = register(reg, uniqueName(), "secret1");
        }
        try (ClassicClient x = new ClassicClient(server.address()); ClassicClient y = new ClassicClient(server.address())) {
            x.send(LOGIN, obj("id", ids[0], "password", "secret1"));
            assertEquals(0, x.next(LOGIN_ACK).get("errno").asInt());
            y.send(LOGIN, obj("id", ids[1], "password", "secret1"));
            assertEquals(0, y.next(LOGIN_ACK).get("errno").asInt());
            x.send(ADD_FRIEND, obj("id", ids[0], "friendid", ids[1]));
            assertTrue(y.showsNothingFor(500), "a classic client never sees FRIEND_REQUEST");
            y.send(ADD_FRIEND, obj("id", ids[1], "friendid", ids[0]));
            assertTrue(x.showsNothingFor(500), "nor FRIEND_REPLY");

            x.send(LOGINOUT, obj("id", ids[0]));
            x.send(LOGIN, obj("id", ids[0], "password", "secret1"));
            JsonNode ack = x.next(LOGIN_ACK);
            assertFalse(ack.has("offlinemsg"), "no events among the waiting messages: " + ack);
            JsonNode friend = WireClient.JSON.readTree(ack.get("friends").get(0).asText());
            assertEquals(ids[1], friend.get("id").asLong());
            x.send(ONE_CHAT, obj("id", ids[0], "toid", ids[1], "msg", "friends now"));
            assertEquals("friends now", y.next(ONE_CHAT).get("msg").asText(), "its chats still arrive, nothing else first");
        }
    }

    @Test
    void aClassicFriendGetsNeitherPresenceNorTypingButCountsAsOnline() throws Exception {
        try (WireClient a = connect()) {
            long ida = loggedIn(a);
            long idc = register(a, uniqueName(), "secret1");
            ClassicClient c = new ClassicClient(server.address());
            c.send(LOGIN, obj("id", idc, "password", "secret1"));
            assertEquals(0, c.next(LOGIN_ACK).get("errno").asInt());
            a.send(ADD_FRIEND, obj("friendid", idc));
            a.await(ADD_FRIEND);
            c.send(ADD_FRIEND, obj("id", idc, "friendid", ida)); // asking back accepts
            assertTrue(a.await(FRIEND_REPLY).get("accept").asBoolean());

            a.send(TYPING, obj("toid", idc));
            a.send(LOGINOUT, obj()); // a leaves and comes back after the grace: offline, then online
            a.expectSilence((long) (3000 * 1.2));
            login(a, ida, "secret1");
            a.send(ONE_CHAT, obj("toid", idc, "msg", "only chats reach you"));
            assertEquals("only chats reach you", c.next(ONE_CHAT).get("msg").asText(), "nothing shown before the chat");

            c.close();
            JsonNode offline = a.await(PRESENCE);
            assertEquals(idc, offline.get("id").asLong(), "a classic user's friends hear that it left");
            assertEquals("offline", offline.get("state").asText());
        }
    }

    @Test
    void openFriendsKeepsTheImmediateFriendship() throws IOException {
        try (ServerFixture open = new ServerFixture("--open-friends", "yes");
             WireClient a = WireClient.nativeClient(open.address());
             WireClient b = WireClient.nativeClient(open.address())) {
            long ida = loggedIn(a);
            long idb = loggedIn(b);
            a.send(ADD_FRIEND, obj("friendid", idb));
            assertFalse(a.await(ADD_FRIEND).has("pending"));
            assertEquals(List.of(ida), friendIds(relogin(b, idb)));
            b.expectSilence(300);
        }
    }

    // ---- presence ---------------------------------------------------------------------------------

    @Test
    void presenceGoesToFriendsOnlyAndAReconnectWithinTheGraceSaysNothing() throws IOException {
        try (WireClient a = connect(); WireClient stranger = connect()) {
            long ida = loggedIn(a);
            loggedIn(stranger);
            WireClient b = connect();
            long idb = loggedIn(b);
            befriend(a, ida, b, idb);

            b.send(LOGINOUT, obj()); // gone, and back at once: a flap
            b.send(HEARTBEAT, obj());
            b.await(HEARTBEAT_ACK); // the LOGINOUT is done before the LOGIN
            login(b, idb, "secret1");
            a.expectSilence(4000);

            b.close();
            JsonNode offline = a.await(PRESENCE);
            assertEquals(idb, offline.get("id").asLong());
            assertEquals("offline", offline.get("state").asText());
            b = connect();
            login(b, idb, "secret1");
            JsonNode online = a.await(PRESENCE);
            assertEquals("online", online.get("state").asText());
            b.close();
            stranger.expectSilence(500);
        }
    }

    // ---- typing -------------------------------------------------------------------------------------

    @Test
    void typingReachesAFriendAtOnceAtMostOnceASecondAndIsNeverStored() throws IOException {
        try (WireClient a = connect(); WireClient b = connect(); WireClient stranger = connect()) {
            long ida = loggedIn(a);
            long idb = loggedIn(b);
            loggedIn(stranger);
            befriend(a, ida, b, idb);

            for (int i = 0; i < 5; i++) {
                a.send(TYPING, obj("toid", idb));
            }
            assertEquals(ida, b.await(TYPING).get("id").asLong());
            long first = System.nanoTime();
            stranger.send(TYPING, obj("toid", idb));
            b.expectSilence(300); // the other four, and the stranger's, dropped
            ScheduledExecutorService typist = Executors.newSingleThreadScheduledExecutor();
            try {
                typist.scheduleAtFixedRate(() -> sendQuietly(a, TYPING, obj("toid", idb)), 0, 100, TimeUnit.MILLISECONDS);
                assertEquals(ida, b.await(TYPING).get("id").asLong(), "typing on, another one goes");
                long gapMillis = (System.nanoTime() - first) / 1_000_000;
                assertTrue(gapMillis >= 900, "at most one a second: the second came after " + gapMillis + " ms");
            } finally {
                typist.shutdownNow();
            }

            JsonNode ack = relogin(b, idb);
            b.send(HISTORY, obj("peer", ida));
            assertEquals(0, b.await(HISTORY_ACK).get("messages").size());
            assertFalse(b.hasUnclaimed(TYPING), "nothing replayed: " + ack);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** Makes them friends by request and accept, and takes the events. */
    private static void befriend(WireClient a, long ida, WireClient b, long idb) throws IOException {
        a.send(ADD_FRIEND, obj("friendid", idb));
        a.await(ADD_FRIEND);
        b.await(FRIEND_REQUEST);
        b.send(FRIEND_REPLY, obj("friendid", ida, "accept", true));
        b.await(FRIEND_REPLY);
        a.await(FRIEND_REPLY);
    }

    private static void sendQuietly(WireClient c, MsgType type, com.fasterxml.jackson.databind.node.ObjectNode body) {
        try {
            c.send(type, body);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Long> friendIds(JsonNode loginAck) {
        List<Long> ids = new ArrayList<>();
        loginAck.path("friends").forEach(f -> ids.add(f.get("id").asLong()));
        return ids;
    }

    private static JsonNode relogin(WireClient c, long id) throws IOException {
        c.send(LOGINOUT, obj());
        return login(c, id, "secret1");
    }

    private static WireClient connect() throws IOException {
        return WireClient.nativeClient(server.address());
    }

    private static String uniqueName() {
        return "fr" + NAMES.incrementAndGet();
    }

    private static long loggedIn(WireClient c) throws IOException {
        long id = register(c, uniqueName(), "secret1");
        login(c, id, "secret1");
        return id;
    }
}
