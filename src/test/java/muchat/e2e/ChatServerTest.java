package muchat.e2e;

import static muchat.protocol.RawText.withBytes;
import static muchat.e2e.WireClient.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One real server, many users: the single-instance behaviour of docs/protocol.md over real sockets. */
class ChatServerTest {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static ServerFixture server;

    @BeforeAll
    static void startServer() throws IOException {
        server = new ServerFixture("--rate-limit", "50", "--open-friends", "yes");
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    // ---- accounts ---------------------------------------------------------------------------

    @Test
    void registerThenLoginByIdAndByName() throws IOException {
        try (WireClient c = connect()) {
            String name = uniqueName();
            long id = register(c, name, "secret1");
            JsonNode ack = login(c, id, "secret1");
            assertEquals(name, ack.get("name").asText());
            assertEquals(0, ack.get("acked").asLong());
            c.send(3, obj());
            c.send(1, obj("name", name, "password", "secret1"));
            JsonNode byName = c.await(2);
            assertEquals(0, byName.get("errno").asInt());
            assertEquals(id, byName.get("id").asLong());
        }
    }

    @Test
    void aWrongPasswordIsErrno1AndTheLoginMayBeRetriedOnTheSameConnection() throws IOException {
        try (WireClient c = connect()) {
            long id = register(c, uniqueName(), "secret1");
            c.send(1, obj("id", id, "password", "wrong-one"));
            assertEquals(1, c.await(2).get("errno").asInt());
            c.send(1, obj("id", 999_999, "password", "secret1"));
            assertEquals(1, c.await(2).get("errno").asInt());
            assertEquals(0, login(c, id, "secret1").get("errno").asInt());
        }
    }

    @Test
    void aTakenNameIsRefused() throws IOException {
        try (WireClient c = connect()) {
            String name = uniqueName();
            register(c, name, "secret1");
            c.send(4, obj("name", name, "password", "other-pw"));
            assertEquals(1, c.await(5).get("errno").asInt());
        }
    }

    @Test
    void aSecondLoginKicksTheFirstSession() throws IOException {
        try (WireClient first = connect(); WireClient second = connect()) {
            long id = register(first, uniqueName(), "secret1");
            login(first, id, "secret1");
            login(second, id, "secret1");
            assertTrue(first.await(107).get("errmsg").asText().length() > 0);
            assertTrue(first.closedByServer());
            second.send(101, obj());
            second.await(102);
        }
    }

    // ---- friends and groups ------------------------------------------------------------------

    @Test
    void friendshipIsMutualAndShowsLiveState() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            long ida = register(a, uniqueName(), "secret1");
            long idb = register(b, uniqueName(), "secret1");
            login(a, ida, "secret1");
            a.send(7, obj("friendid", idb));
            assertEquals(0, a.await(7).get("errno").asInt());
            a.send(7, obj("friendid", idb));
            assertEquals(0, a.await(7).get("errno").asInt(), "adding an existing friend is ok");
            JsonNode bAck = login(b, idb, "secret1");
            JsonNode friend = bAck.get("friends").get(0);
            assertEquals(ida, friend.get("id").asLong());
            assertEquals("online", friend.get("state").asText());
            assertEquals(1, bAck.get("friends").size(), "no duplicate friendship");
            a.send(3, obj());
            a.send(101, obj());
            a.await(102); // a's requests run in order: the LOGINOUT is done
            b.send(3, obj());
            b.send(1, obj("id", idb, "password", "secret1"));
            assertEquals("offline", b.await(2).get("friends").get(0).get("state").asText());
        }
    }

    @Test
    void groupsHaveRolesAndGroupChatReachesEveryOtherMember() throws IOException {
        try (WireClient creator = connect(); WireClient member = connect(); WireClient outsider = connect()) {
            long c = loggedIn(creator);
            long m = loggedIn(member);
            loggedIn(outsider);
            creator.send(8, obj("groupname", "hikers", "groupdesc", "weekend walks"));
            JsonNode created = creator.await(8);
            assertEquals(0, created.get("errno").asInt());
            long gid = created.get("groupid").asLong();
            member.send(9, obj("groupid", gid));
            assertEquals(0, member.await(9).get("errno").asInt());

            creator.send(10, obj("groupid", gid, "msg", "hello all", "cmid", "g1"));
            creator.await(103);
            JsonNode push = member.await(10);
            assertEquals("hello all", push.get("msg").asText());
            assertEquals(c, push.get("id").asLong());
            assertEquals(gid, push.get("groupid").asLong());
            creator.expectSilence(300); // never back to the sender

            outsider.send(10, obj("groupid", gid, "msg", "let me in"));
            assertEquals(16, outsider.await(100).get("errno").asInt());
            outsider.send(10, obj("groupid", 987_654, "msg", "anyone?"));
            assertEquals(15, outsider.await(100).get("errno").asInt());
            outsider.send(9, obj("groupid", 987_654));
            assertEquals(15, outsider.await(9).get("errno").asInt());

            member.send(3, obj());
            member.send(1, obj("id", m, "password", "secret1"));
            JsonNode group = member.await(2).get("groups").get(0);
            assertEquals("hikers", group.get("groupname").asText());
            assertEquals("weekend walks", group.get("groupdesc").asText());
            for (JsonNode user : group.get("users")) {
                assertEquals(user.get("id").asLong() == c ? "creator" : "normal", user.get("role").asText());
                assertEquals("online", user.get("state").asText(), "both are logged in, the member included");
            }
        }
    }

    // ---- chat and delivery ----------------------------------------------------------------------

    @Test
    void aChatIsAcknowledgedThenPushedWithSeqAndSenderFields() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            long ida = loggedIn(a);
            long idb = loggedIn(b);
            a.send(6, obj("toid", idb, "msg", "hi there", "cmid", "m-1", "id", 424242, "name", "spoofed"));
            JsonNode ack = a.await(103);
            assertEquals("m-1", ack.get("cmid").asText());
            assertTrue(ack.get("mid").asLong() > 0);
            assertTrue(ack.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"));
            JsonNode push = b.await(6);
            assertEquals(ida, push.get("id").asLong(), "sender comes from the session, not the request");
            assertFalse(push.get("name").asText().equals("spoofed"));
            assertEquals(idb, push.get("toid").asLong());
            assertEquals("hi there", push.get("msg").asText());
            assertEquals(ack.get("mid").asLong(), push.get("mid").asLong());
            assertEquals(1, push.get("seq").asLong());
            a.send(6, obj("toid", idb, "msg", "no cmid"));
            assertFalse(a.await(103).has("cmid"), "SEND_ACK even without a cmid");
        }
    }

    @Test
    void aMessageOf4000EmojiIsAcknowledgedAndArrivesIntactLiveAndInHistory() throws IOException {
        String emoji = "\uD83D\uDE00".repeat(4000); // the most msg allows, each one outside the BMP
        try (WireClient a = connect(); WireClient b = connect()) {
            long ida = loggedIn(a);
            long idb = loggedIn(b);
            a.send(6, obj("toid", idb, "msg", emoji, "cmid", "emoji-1"));
            JsonNode reply = a.await(f -> f.path("cmid").asText().equals("emoji-1"), "the reply to cmid emoji-1");
            assertEquals(103, reply.get("msgid").asInt(), "SEND_ACK, not an error: " + reply.path("errno"));
            JsonNode push = b.await(6);
            assertEquals(emoji, push.get("msg").asText());
            b.send(108, obj("peer", ida, "limit", 1));
            assertEquals(emoji, b.await(109).get("messages").get(0).get("msg").asText());
        }
    }

    @Test
    void offlineMessagesArriveInSeqOrderAfterLoginThenSyncDone() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            loggedIn(a);
            String bName = uniqueName();
            long idb = register(b, bName, "secret1");
            for (int i = 1; i <= 30; i++) {
                a.send(6, obj("toid", idb, "msg", "m" + i, "cmid", "off-" + i));
            }
            for (int i = 1; i <= 30; i++) {
                a.await(103);
            }
            b.send(1, obj("id", idb, "password", "secret1"));
            assertEquals(0, b.await(2).get("acked").asLong());
            for (int i = 1; i <= 30; i++) {
                JsonNode push = b.await(6);
                assertEquals(i, push.get("seq").asLong());
                assertEquals("m" + i, push.get("msg").asText());
            }
            assertEquals(30, b.await(106).get("upto").asLong());
        }
    }

    @Test
    void aRepeatedCmidIsStoredOnceAndAcknowledgedWithTheFirstMid() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            loggedIn(a);
            long idb = loggedIn(b);
            a.send(6, obj("toid", idb, "msg", "once", "cmid", "dup"));
            long mid = a.await(103).get("mid").asLong();
            a.send(6, obj("toid", idb, "msg", "once", "cmid", "dup"));
            assertEquals(mid, a.await(103).get("mid").asLong());
            assertEquals(1, b.await(6).get("seq").asLong());
            b.expectSilence(300);
        }
    }

    @Test
    void recvAckIsRememberedAndSyncReplaysFromAnyPoint() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            loggedIn(a);
            String name = uniqueName();
            long idb = register(b, name, "secret1");
            login(b, idb, "secret1");
            for (int i = 1; i <= 5; i++) {
                a.send(6, obj("toid", idb, "msg", "n" + i));
                assertEquals(i, b.await(6).get("seq").asLong());
            }
            b.send(104, obj("seq", 3));
            b.send(105, obj("after", 1));
            for (int i = 2; i <= 5; i++) {
                assertEquals(i, b.await(6).get("seq").asLong());
            }
            assertEquals(5, b.await(106).get("upto").asLong());
            b.send(3, obj());
            b.send(1, obj("id", idb, "password", "secret1"));
            assertEquals(3, b.await(2).get("acked").asLong(), "the ack survived the session");
            assertEquals(4, b.await(6).get("seq").asLong());
            assertEquals(5, b.await(6).get("seq").asLong());
        }
    }

    @Test
    void historyListsNewestFirstAndPagesWithBefore() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            long ida = loggedIn(a);
            long idb = loggedIn(b);
            for (int i = 1; i <= 4; i++) {
                a.send(6, obj("toid", idb, "msg", "h" + i));
                a.await(103);
            }
            b.send(6, obj("toid", ida, "msg", "reply"));
            b.await(103);
            a.send(108, obj("peer", idb, "limit", 3));
            JsonNode page = a.await(109);
            assertEquals(0, page.get("errno").asInt());
            List<String> texts = new ArrayList<>();
            page.get("messages").forEach(m -> texts.add(m.get("msg").asText()));
            assertEquals(List.of("reply", "h4", "h3"), texts);
            long oldest = page.get("messages").get(2).get("mid").asLong();
            a.send(108, obj("peer", idb, "before", oldest));
            JsonNode next = a.await(109);
            assertEquals(2, next.get("messages").size());
            assertEquals("h2", next.get("messages").get(0).get("msg").asText());
        }
    }

    // ---- bad input ----------------------------------------------------------------------------

    @Test
    void everyRequestButRegLoginAndHeartbeatNeedsALogin() throws IOException {
        try (WireClient c = connect()) {
            c.send(101, obj());
            assertTrue(c.await(102).get("ts").asLong() > 0);
            c.send(6, obj("toid", 1, "msg", "hi", "cmid", "x1"));
            JsonNode error = c.await(100);
            assertEquals(10, error.get("errno").asInt());
            assertEquals(6, error.get("ref").asInt());
            assertEquals("x1", error.get("cmid").asText());
        }
    }

    @Test
    void malformedFramesAndFieldsGetErrnoAndTheConnectionLivesOn() throws IOException {
        try (WireClient c = connect()) {
            long id = loggedIn(c);
            c.send(6, obj("toid", "12", "msg", "wrong type"));
            assertEquals(11, c.await(100).get("errno").asInt());
            c.send(6, obj("toid", id, "msg", ""));
            assertEquals(14, c.await(100).get("errno").asInt());
            c.send(6, obj("toid", id, "msg", "x".repeat(4001)));
            assertEquals(14, c.await(100).get("errno").asInt());
            c.send(6, obj("toid", id, "msg", "ok", "cmid", "c".repeat(65)));
            assertEquals(14, c.await(100).get("errno").asInt());
            c.send(6, obj("toid", 99_999_999, "msg", "nobody"));
            assertEquals(15, c.await(100).get("errno").asInt());
            c.send(555, obj());
            JsonNode unknown = c.await(100);
            assertEquals(12, unknown.get("errno").asInt());
            assertEquals(555, unknown.get("ref").asInt());
            c.sendRaw(new byte[] {0, 6, 0, 0, 0, 3, '{', 'x', '}'});
            assertEquals(11, c.await(100).get("errno").asInt());
            c.sendRaw(new byte[] {0, 101, 0, 0, 0, 11, '{', '"', 'm', 's', 'g', 'i', 'd', '"', ':', '6', '}'});
            assertEquals(11, c.await(100).get("errno").asInt(), "msgid in JSON differs from the type");
            c.send(4, obj("name", "n", "password", "short"));
            assertEquals(14, c.await(5).get("errno").asInt());
            c.send(101, obj());
            c.await(102);
        }
    }

    @ParameterizedTest(name = "legacy={0}")
    @ValueSource(booleans = {false, true})
    void aRegWithAnOverlongEncodingIsErrno11AndRegistersNothing(boolean legacy) throws IOException {
        try (WireClient c = legacy ? WireClient.legacyClient(server.address()) : connect()) {
            String name = uniqueName();
            // C0 AF is an overlong '/': a lenient decoder reads the name as name + "/x"
            c.sendJson(4, withBytes("{\"msgid\":4,\"name\":\"" + name, "C0 AF", "x\",\"password\":\"secret1\"}"));
            JsonNode refused = c.await(legacy ? 100 : 5);
            assertEquals(11, refused.get("errno").asInt(), refused.toString());
            register(c, name + "/x", "secret1"); // errno 0: that name is still free, and the connection works
        }
    }

    @ParameterizedTest(name = "legacy={0}")
    @ValueSource(booleans = {false, true})
    void aChatWithInvalidUtf8IsErrno11AndNothingIsStoredOrDelivered(boolean legacy) throws IOException {
        try (WireClient a = legacy ? WireClient.legacyClient(server.address()) : connect(); WireClient b = connect()) {
            long idb = loggedIn(b);
            long ida = register(a, uniqueName(), "secret1");
            a.send(1, obj("id", ida, "password", "secret1"));
            assertEquals(0, a.await(2).get("errno").asInt());
            String head = "{\"msgid\":6,\"toid\":" + idb + ",\"msg\":\"a";
            a.sendJson(6, withBytes(head, "ED A0 80", "b\",\"cmid\":\"cesu\"}")); // U+D800 in CESU-8
            assertInvalidChatRefused(a, legacy);
            a.sendJson(6, (head + "\\ud800b\",\"cmid\":\"escape\"}").getBytes(StandardCharsets.UTF_8));
            assertInvalidChatRefused(a, legacy);

            a.send(6, obj("toid", idb, "msg", "valid", "cmid", "ok"));
            if (!legacy) {
                assertEquals("ok", a.await(103).get("cmid").asText());
            }
            JsonNode push = b.await(6);
            assertEquals("valid", push.get("msg").asText(), "the refused chats were not delivered");
            assertEquals(1, push.get("seq").asLong(), "nor numbered in the inbox");
            b.send(108, obj("peer", ida));
            JsonNode history = b.await(109);
            assertEquals(1, history.get("messages").size(), "nor stored: " + history);
        }
    }

    private static void assertInvalidChatRefused(WireClient a, boolean legacy) throws IOException {
        JsonNode error = a.await(100);
        assertEquals(11, error.get("errno").asInt(), error.toString());
        if (!legacy) {
            assertEquals(6, error.get("ref").asInt());
        }
    }

    @Test
    void aFrameOverTheLimitIsErrno13AndClosesOnlyThatConnection() throws IOException {
        try (WireClient bad = connect(); WireClient good = connect()) {
            loggedIn(good);
            bad.sendRaw(new byte[] {0, 6, 0, 1, 0, 1}); // 65537 bytes announced
            assertEquals(13, bad.await(100).get("errno").asInt());
            assertTrue(bad.closedByServer());
            good.send(101, obj());
            good.await(102);
        }
    }

    @Test
    void aSenderOverItsRateIsSlowedDownNotRefusedAndItsMessagesKeepTheirOrder() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            loggedIn(a);
            long idb = loggedIn(b);
            int count = 160; // the fixture's rate is 50/s with bursts of 100: 60 must wait about 1.2 s
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                a.send(6, obj("toid", idb, "msg", "burst " + i, "cmid", "c" + i));
            }
            for (int i = 0; i < count; i++) {
                JsonNode reply = a.await(frame -> frame.has("cmid") || frame.path("msgid").asInt() == 100, "a reply");
                assertEquals(103, reply.get("msgid").asInt(), "refused: " + reply);
                assertEquals("c" + i, reply.get("cmid").asText());
            }
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMillis >= 1000, "not shaped: " + elapsedMillis + " ms for " + count + " messages");
            for (int i = 0; i < count; i++) {
                assertEquals("burst " + i, b.await(6).get("msg").asText());
            }
        }
    }

    @Test
    void aTypingFloodIsSlowedDownLikeChatsSoItCannotCrowdOutOtherRequests() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            loggedIn(a);
            long idb = loggedIn(b);
            int count = 160; // the fixture's rate is 50/s with bursts of 100: 60 must wait about 1.2 s
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                a.send(114, obj("toid", idb + i));
            }
            a.send(101, obj());
            a.await(102);
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMillis >= 1000, "not shaped: " + elapsedMillis + " ms for " + count + " TYPINGs");
        }
    }

    // ---- legacy -----------------------------------------------------------------------------------

    @Test
    void aClassicClientGetsTheClassicLoginAndPushes() throws IOException {
        try (WireClient modern = connect(); WireClient classic = WireClient.legacyClient(server.address())) {
            long idm = loggedIn(modern);
            String name = uniqueName();
            classic.send(4, obj("name", name, "password", "secret1"));
            long idc = classic.await(5).get("id").asLong();
            modern.send(6, obj("toid", idc, "msg", "while you were away"));
            modern.await(103);

            classic.send(1, obj("id", idc, "password", "secret1"));
            JsonNode ack = classic.await(2);
            assertEquals(0, ack.get("errno").asInt());
            JsonNode offline = WireClient.JSON.readTree(ack.get("offlinemsg").get(0).asText());
            assertEquals("while you were away", offline.get("msg").asText());

            classic.send(7, obj("id", idc, "friendid", idm));
            classic.send(6, obj("id", idc, "name", name, "toid", idm, "msg", "hello from 2014",
                    "time", "2014-01-01 00:00:00"));
            JsonNode push = modern.await(6);
            assertEquals("hello from 2014", push.get("msg").asText());
            assertEquals(idc, push.get("id").asLong());

            modern.send(6, obj("toid", idc, "msg", "live"));
            assertEquals("live", classic.await(6).get("msg").asText());
            classic.expectSilence(300); // no reply to ADD_FRIEND, no SEND_ACK

            classic.send(3, obj("id", idc));
            classic.send(1, obj("id", idc, "password", "secret1"));
            JsonNode again = classic.await(2);
            assertFalse(again.has("offlinemsg"), "delivered once written: nothing waits any more");
            JsonNode friend = WireClient.JSON.readTree(again.get("friends").get(0).asText());
            assertEquals(idm, friend.get("id").asLong());
            assertEquals("online", friend.get("state").asText());
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static WireClient connect() throws IOException {
        return WireClient.nativeClient(server.address());
    }

    private static String uniqueName() {
        return "user" + NAMES.incrementAndGet();
    }

    static long register(WireClient c, String name, String password) throws IOException {
        c.send(4, obj("name", name, "password", password));
        JsonNode ack = c.await(5);
        assertEquals(0, ack.get("errno").asInt(), ack.toString());
        return ack.get("id").asLong();
    }

    /** Logs in and waits for the end of the inbox replay. */
    static JsonNode login(WireClient c, long id, String password) throws IOException {
        return login(c, id, password, "default");
    }

    /** Logs in on {@code device} and waits for the end of the inbox replay. */
    static JsonNode login(WireClient c, long id, String password, String device) throws IOException {
        c.send(1, obj("id", id, "password", password, "device", device));
        JsonNode ack = c.await(2);
        assertEquals(0, ack.get("errno").asInt(), ack.toString());
        c.await(106);
        return ack;
    }

    private static long loggedIn(WireClient c) throws IOException {
        long id = register(c, uniqueName(), "secret1");
        login(c, id, "secret1");
        return id;
    }
}
