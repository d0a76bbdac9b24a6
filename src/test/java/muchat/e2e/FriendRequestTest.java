package muchat.e2e;

import static muchat.e2e.ChatServerTest.login;
import static muchat.e2e.ChatServerTest.register;
import static muchat.e2e.WireClient.obj;
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
            a.send(7, obj("friendid", idb));
            JsonNode ack = a.await(7);
            assertEquals(0, ack.get("errno").asInt());
            assertTrue(ack.get("pending").asBoolean(), "a request, not a friendship: " + ack);
            assertTrue(friendIds(relogin(a, ida)).isEmpty(), "not friends before the answer");

            JsonNode request = b.await(116);
            assertEquals(ida, request.get("id").asLong());
            assertTrue(request.get("name").asText().startsWith("fr"));
            assertTrue(request.get("seq").asLong() > 0, "in the inbox: " + request);

            b.send(117, obj("friendid", ida, "accept", true));
            assertEquals(0, b.await(117).get("errno").asInt());
            JsonNode reply = a.await(f -> f.path("msgid").asInt() == 117 && f.has("seq"), "the reply");
            assertEquals(idb, reply.get("id").asLong());
            assertTrue(reply.get("accept").asBoolean());

            assertEquals(List.of(idb), friendIds(relogin(a, ida)));
            assertEquals(List.of(ida), friendIds(relogin(b, idb)));
            a.send(7, obj("friendid", idb));
            assertFalse(a.await(7).has("pending"), "adding a friend again is ok: " + a);
        }
    }

    @Test
    void aRejectedRequestLeavesThemStrangers() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            long ida = loggedIn(a);
            long idb = loggedIn(b);
            a.send(7, obj("friendid", idb));
            a.await(7);
            b.await(116);
            b.send(117, obj("friendid", ida, "accept", false));
            assertEquals(0, b.await(117).get("errno").asInt());
            assertFalse(a.await(117).get("accept").asBoolean());
            b.send(117, obj("friendid", ida, "accept", true));
            assertEquals(15, b.await(117).get("errno").asInt(), "the request is gone");
            assertTrue(friendIds(relogin(a, ida)).isEmpty());
            assertTrue(friendIds(relogin(b, idb)).isEmpty());
        }
    }

    @Test
    void requestAndReplyWaitInTheInboxUntilLoginAndAreNoChats() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            long ida = loggedIn(a);
            long idb = register(b, uniqueName(), "secret1");
            a.send(7, obj("friendid", idb));
            a.await(7);
            a.send(3, obj());

            b.send(1, obj("id", idb, "password", "secret1"));
            b.await(2);
            JsonNode request = b.await(116);
            assertEquals(ida, request.get("id").asLong());
            b.await(106);
            b.send(117, obj("friendid", ida, "accept", true));
            b.await(117);

            a.send(1, obj("id", ida, "password", "secret1"));
            assertEquals(List.of(idb), friendIds(a.await(2)));
            JsonNode reply = a.await(117);
            assertEquals(idb, reply.get("id").asLong());
            assertTrue(reply.get("accept").asBoolean());
            a.await(106);

            a.send(108, obj("peer", idb));
            assertEquals(0, a.await(109).get("messages").size(), "requests are not chat history");
        }
    }

    @Test
    void aRepeatedRequestIsANoOp() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            loggedIn(a);
            long idb = loggedIn(b);
            a.send(7, obj("friendid", idb));
            a.await(7);
            b.await(116);
            a.send(7, obj("friendid", idb));
            assertTrue(a.await(7).get("pending").asBoolean());
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
            x.send(1, obj("id", ids[0], "password", "secret1"));
            assertEquals(0, x.next(2).get("errno").asInt());
            y.send(1, obj("id", ids[1], "password", "secret1"));
            assertEquals(0, y.next(2).get("errno").asInt());
            x.send(7, obj("id", ids[0], "friendid", ids[1]));
            assertTrue(y.showsNothingFor(500), "a classic client never sees FRIEND_REQUEST");
            y.send(7, obj("id", ids[1], "friendid", ids[0]));
            assertTrue(x.showsNothingFor(500), "nor FRIEND_REPLY");

            x.send(3, obj("id", ids[0]));
            x.send(1, obj("id", ids[0], "password", "secret1"));
            JsonNode ack = x.next(2);
            assertFalse(ack.has("offlinemsg"), "no events among the waiting messages: " + ack);
            JsonNode friend = WireClient.JSON.readTree(ack.get("friends").get(0).asText());
            assertEquals(ids[1], friend.get("id").asLong());
            x.send(6, obj("id", ids[0], "toid", ids[1], "msg", "friends now"));
            assertEquals("friends now", y.next(6).get("msg").asText(), "its chats still arrive, nothing else first");
        }
    }

    @Test
    void aClassicFriendGetsNeitherPresenceNorTypingButCountsAsOnline() throws Exception {
        try (WireClient a = connect()) {
            long ida = loggedIn(a);
            long idc = register(a, uniqueName(), "secret1");
            ClassicClient c = new ClassicClient(server.address());
            c.send(1, obj("id", idc, "password", "secret1"));
            assertEquals(0, c.next(2).get("errno").asInt());
            a.send(7, obj("friendid", idc));
            a.await(7);
            c.send(7, obj("id", idc, "friendid", ida)); // asking back accepts
            assertTrue(a.await(117).get("accept").asBoolean());

            a.send(114, obj("toid", idc));
            a.send(3, obj()); // a leaves and comes back after the grace: offline, then online
            a.expectSilence((long) (3000 * 1.2));
            login(a, ida, "secret1");
            a.send(6, obj("toid", idc, "msg", "only chats reach you"));
            assertEquals("only chats reach you", c.next(6).get("msg").asText(), "nothing shown before the chat");

            c.close();
            JsonNode offline = a.await(115);
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
            a.send(7, obj("friendid", idb));
            assertFalse(a.await(7).has("pending"));
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

            b.send(3, obj()); // gone, and back at once: a flap
            b.send(101, obj());
            b.await(102); // the LOGINOUT is done before the LOGIN
            login(b, idb, "secret1");
            a.expectSilence(4000);

            b.close();
            JsonNode offline = a.await(115);
            assertEquals(idb, offline.get("id").asLong());
            assertEquals("offline", offline.get("state").asText());
            b = connect();
            login(b, idb, "secret1");
            JsonNode online = a.await(115);
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
                a.send(114, obj("toid", idb));
            }
            assertEquals(ida, b.await(114).get("id").asLong());
            long first = System.nanoTime();
            stranger.send(114, obj("toid", idb));
            b.expectSilence(300); // the other four, and the stranger's, dropped
            ScheduledExecutorService typist = Executors.newSingleThreadScheduledExecutor();
            try {
                typist.scheduleAtFixedRate(() -> sendQuietly(a, 114, obj("toid", idb)), 0, 100, TimeUnit.MILLISECONDS);
                assertEquals(ida, b.await(114).get("id").asLong(), "typing on, another one goes");
                long gapMillis = (System.nanoTime() - first) / 1_000_000;
                assertTrue(gapMillis >= 900, "at most one a second: the second came after " + gapMillis + " ms");
            } finally {
                typist.shutdownNow();
            }

            JsonNode ack = relogin(b, idb);
            b.send(108, obj("peer", ida));
            assertEquals(0, b.await(109).get("messages").size());
            assertFalse(b.hasUnclaimed(114), "nothing replayed: " + ack);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** Makes them friends by request and accept, and takes the events. */
    private static void befriend(WireClient a, long ida, WireClient b, long idb) throws IOException {
        a.send(7, obj("friendid", idb));
        a.await(7);
        b.await(116);
        b.send(117, obj("friendid", ida, "accept", true));
        b.await(117);
        a.await(117);
    }

    private static void sendQuietly(WireClient c, int msgid, com.fasterxml.jackson.databind.node.ObjectNode body) {
        try {
            c.send(msgid, body);
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
        c.send(3, obj());
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
