package muchat.e2e;

import static muchat.e2e.WireClient.hasType;
import static muchat.protocol.MsgType.ADD_FRIEND;
import static muchat.protocol.MsgType.ADD_GROUP;
import static muchat.protocol.MsgType.CREATE_GROUP;
import static muchat.protocol.MsgType.ERROR;
import static muchat.protocol.MsgType.GROUP_CHAT;
import static muchat.protocol.MsgType.HEARTBEAT;
import static muchat.protocol.MsgType.HEARTBEAT_ACK;
import static muchat.protocol.MsgType.HISTORY;
import static muchat.protocol.MsgType.HISTORY_ACK;
import static muchat.protocol.MsgType.KICKED;
import static muchat.protocol.MsgType.LOGIN;
import static muchat.protocol.MsgType.LOGINOUT;
import static muchat.protocol.MsgType.LOGIN_ACK;
import static muchat.protocol.MsgType.ONE_CHAT;
import static muchat.protocol.MsgType.RECV_ACK;
import static muchat.protocol.MsgType.REG;
import static muchat.protocol.MsgType.REG_ACK;
import static muchat.protocol.MsgType.SEND_ACK;
import static muchat.protocol.MsgType.SYNC;
import static muchat.protocol.MsgType.SYNC_DONE;
import static muchat.protocol.MsgType.TYPING;
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
    /** A msgid that no {@link muchat.protocol.MsgType} has, sent on purpose. */
    private static final int UNKNOWN_MSGID = 555;
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
            c.send(LOGINOUT, obj());
            c.send(LOGIN, obj("name", name, "password", "secret1"));
            JsonNode byName = c.await(LOGIN_ACK);
            assertEquals(0, byName.get("errno").asInt());
            assertEquals(id, byName.get("id").asLong());
        }
    }

    @Test
    void aWrongPasswordIsErrno1AndTheLoginMayBeRetriedOnTheSameConnection() throws IOException {
        try (WireClient c = connect()) {
            long id = register(c, uniqueName(), "secret1");
            c.send(LOGIN, obj("id", id, "password", "wrong-one"));
            assertEquals(1, c.await(LOGIN_ACK).get("errno").asInt());
            c.send(LOGIN, obj("id", 999_999, "password", "secret1"));
            assertEquals(1, c.await(LOGIN_ACK).get("errno").asInt());
            assertEquals(0, login(c, id, "secret1").get("errno").asInt());
        }
    }

    @Test
    void aTakenNameIsRefused() throws IOException {
        try (WireClient c = connect()) {
            String name = uniqueName();
            register(c, name, "secret1");
            c.send(REG, obj("name", name, "password", "other-pw"));
            assertEquals(1, c.await(REG_ACK).get("errno").asInt());
        }
    }

    @Test
    void aSecondLoginKicksTheFirstSession() throws IOException {
        try (WireClient first = connect(); WireClient second = connect()) {
            long id = register(first, uniqueName(), "secret1");
            login(first, id, "secret1");
            login(second, id, "secret1");
            assertTrue(first.await(KICKED).get("errmsg").asText().length() > 0);
            assertTrue(first.closedByServer());
            second.send(HEARTBEAT, obj());
            second.await(HEARTBEAT_ACK);
        }
    }

    // ---- friends and groups ------------------------------------------------------------------

    @Test
    void friendshipIsMutualAndShowsLiveState() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            long ida = register(a, uniqueName(), "secret1");
            long idb = register(b, uniqueName(), "secret1");
            login(a, ida, "secret1");
            a.send(ADD_FRIEND, obj("friendid", idb));
            assertEquals(0, a.await(ADD_FRIEND).get("errno").asInt());
            a.send(ADD_FRIEND, obj("friendid", idb));
            assertEquals(0, a.await(ADD_FRIEND).get("errno").asInt(), "adding an existing friend is ok");
            JsonNode bAck = login(b, idb, "secret1");
            JsonNode friend = bAck.get("friends").get(0);
            assertEquals(ida, friend.get("id").asLong());
            assertEquals("online", friend.get("state").asText());
            assertEquals(1, bAck.get("friends").size(), "no duplicate friendship");
            a.send(LOGINOUT, obj());
            a.send(HEARTBEAT, obj());
            a.await(HEARTBEAT_ACK); // a's requests run in order: the LOGINOUT is done
            b.send(LOGINOUT, obj());
            b.send(LOGIN, obj("id", idb, "password", "secret1"));
            assertEquals("offline", b.await(LOGIN_ACK).get("friends").get(0).get("state").asText());
        }
    }

    @Test
    void groupsHaveRolesAndGroupChatReachesEveryOtherMember() throws IOException {
        try (WireClient creator = connect(); WireClient member = connect(); WireClient outsider = connect()) {
            long c = loggedIn(creator);
            long m = loggedIn(member);
            loggedIn(outsider);
            creator.send(CREATE_GROUP, obj("groupname", "hikers", "groupdesc", "weekend walks"));
            JsonNode created = creator.await(CREATE_GROUP);
            assertEquals(0, created.get("errno").asInt());
            long gid = created.get("groupid").asLong();
            member.send(ADD_GROUP, obj("groupid", gid));
            assertEquals(0, member.await(ADD_GROUP).get("errno").asInt());

            creator.send(GROUP_CHAT, obj("groupid", gid, "msg", "hello all", "cmid", "g1"));
            creator.await(SEND_ACK);
            JsonNode push = member.await(GROUP_CHAT);
            assertEquals("hello all", push.get("msg").asText());
            assertEquals(c, push.get("id").asLong());
            assertEquals(gid, push.get("groupid").asLong());
            creator.expectSilence(300); // never back to the sender

            outsider.send(GROUP_CHAT, obj("groupid", gid, "msg", "let me in"));
            assertEquals(16, outsider.await(ERROR).get("errno").asInt());
            outsider.send(GROUP_CHAT, obj("groupid", 987_654, "msg", "anyone?"));
            assertEquals(15, outsider.await(ERROR).get("errno").asInt());
            outsider.send(ADD_GROUP, obj("groupid", 987_654));
            assertEquals(15, outsider.await(ADD_GROUP).get("errno").asInt());

            member.send(LOGINOUT, obj());
            member.send(LOGIN, obj("id", m, "password", "secret1"));
            JsonNode group = member.await(LOGIN_ACK).get("groups").get(0);
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
            a.send(ONE_CHAT, obj("toid", idb, "msg", "hi there", "cmid", "m-1", "id", 424242, "name", "spoofed"));
            JsonNode ack = a.await(SEND_ACK);
            assertEquals("m-1", ack.get("cmid").asText());
            assertTrue(ack.get("mid").asLong() > 0);
            assertTrue(ack.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"));
            JsonNode push = b.await(ONE_CHAT);
            assertEquals(ida, push.get("id").asLong(), "sender comes from the session, not the request");
            assertFalse(push.get("name").asText().equals("spoofed"));
            assertEquals(idb, push.get("toid").asLong());
            assertEquals("hi there", push.get("msg").asText());
            assertEquals(ack.get("mid").asLong(), push.get("mid").asLong());
            assertEquals(1, push.get("seq").asLong());
            a.send(ONE_CHAT, obj("toid", idb, "msg", "no cmid"));
            assertFalse(a.await(SEND_ACK).has("cmid"), "SEND_ACK even without a cmid");
        }
    }

    @Test
    void aMessageOf4000EmojiIsAcknowledgedAndArrivesIntactLiveAndInHistory() throws IOException {
        String emoji = "\uD83D\uDE00".repeat(4000); // the most msg allows, each one outside the BMP
        try (WireClient a = connect(); WireClient b = connect()) {
            long ida = loggedIn(a);
            long idb = loggedIn(b);
            a.send(ONE_CHAT, obj("toid", idb, "msg", emoji, "cmid", "emoji-1"));
            JsonNode reply = a.await(f -> f.path("cmid").asText().equals("emoji-1"), "the reply to cmid emoji-1");
            assertEquals(SEND_ACK.code(), reply.get("msgid").asInt(), "SEND_ACK, not an error: " + reply.path("errno"));
            JsonNode push = b.await(ONE_CHAT);
            assertEquals(emoji, push.get("msg").asText());
            b.send(HISTORY, obj("peer", ida, "limit", 1));
            assertEquals(emoji, b.await(HISTORY_ACK).get("messages").get(0).get("msg").asText());
        }
    }

    @Test
    void offlineMessagesArriveInSeqOrderAfterLoginThenSyncDone() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            loggedIn(a);
            String bName = uniqueName();
            long idb = register(b, bName, "secret1");
            for (int i = 1; i <= 30; i++) {
                a.send(ONE_CHAT, obj("toid", idb, "msg", "m" + i, "cmid", "off-" + i));
            }
            for (int i = 1; i <= 30; i++) {
                a.await(SEND_ACK);
            }
            b.send(LOGIN, obj("id", idb, "password", "secret1"));
            assertEquals(0, b.await(LOGIN_ACK).get("acked").asLong());
            for (int i = 1; i <= 30; i++) {
                JsonNode push = b.await(ONE_CHAT);
                assertEquals(i, push.get("seq").asLong());
                assertEquals("m" + i, push.get("msg").asText());
            }
            assertEquals(30, b.await(SYNC_DONE).get("upto").asLong());
        }
    }

    @Test
    void aRepeatedCmidIsStoredOnceAndAcknowledgedWithTheFirstMid() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            loggedIn(a);
            long idb = loggedIn(b);
            a.send(ONE_CHAT, obj("toid", idb, "msg", "once", "cmid", "dup"));
            long mid = a.await(SEND_ACK).get("mid").asLong();
            a.send(ONE_CHAT, obj("toid", idb, "msg", "once", "cmid", "dup"));
            assertEquals(mid, a.await(SEND_ACK).get("mid").asLong());
            assertEquals(1, b.await(ONE_CHAT).get("seq").asLong());
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
                a.send(ONE_CHAT, obj("toid", idb, "msg", "n" + i));
                assertEquals(i, b.await(ONE_CHAT).get("seq").asLong());
            }
            b.send(RECV_ACK, obj("seq", 3));
            b.send(SYNC, obj("after", 1));
            for (int i = 2; i <= 5; i++) {
                assertEquals(i, b.await(ONE_CHAT).get("seq").asLong());
            }
            assertEquals(5, b.await(SYNC_DONE).get("upto").asLong());
            b.send(LOGINOUT, obj());
            b.send(LOGIN, obj("id", idb, "password", "secret1"));
            assertEquals(3, b.await(LOGIN_ACK).get("acked").asLong(), "the ack survived the session");
            assertEquals(4, b.await(ONE_CHAT).get("seq").asLong());
            assertEquals(5, b.await(ONE_CHAT).get("seq").asLong());
        }
    }

    @Test
    void historyListsNewestFirstAndPagesWithBefore() throws IOException {
        try (WireClient a = connect(); WireClient b = connect()) {
            long ida = loggedIn(a);
            long idb = loggedIn(b);
            for (int i = 1; i <= 4; i++) {
                a.send(ONE_CHAT, obj("toid", idb, "msg", "h" + i));
                a.await(SEND_ACK);
            }
            b.send(ONE_CHAT, obj("toid", ida, "msg", "reply"));
            b.await(SEND_ACK);
            a.send(HISTORY, obj("peer", idb, "limit", 3));
            JsonNode page = a.await(HISTORY_ACK);
            assertEquals(0, page.get("errno").asInt());
            List<String> texts = new ArrayList<>();
            page.get("messages").forEach(m -> texts.add(m.get("msg").asText()));
            assertEquals(List.of("reply", "h4", "h3"), texts);
            long oldest = page.get("messages").get(2).get("mid").asLong();
            a.send(HISTORY, obj("peer", idb, "before", oldest));
            JsonNode next = a.await(HISTORY_ACK);
            assertEquals(2, next.get("messages").size());
            assertEquals("h2", next.get("messages").get(0).get("msg").asText());
        }
    }

    // ---- bad input ----------------------------------------------------------------------------

    @Test
    void everyRequestButRegLoginAndHeartbeatNeedsALogin() throws IOException {
        try (WireClient c = connect()) {
            c.send(HEARTBEAT, obj());
            assertTrue(c.await(HEARTBEAT_ACK).get("ts").asLong() > 0);
            c.send(ONE_CHAT, obj("toid", 1, "msg", "hi", "cmid", "x1"));
            JsonNode error = c.await(ERROR);
            assertEquals(10, error.get("errno").asInt());
            assertEquals(ONE_CHAT.code(), error.get("ref").asInt());
            assertEquals("x1", error.get("cmid").asText());
        }
    }

    @Test
    void malformedFramesAndFieldsGetErrnoAndTheConnectionLivesOn() throws IOException {
        try (WireClient c = connect()) {
            long id = loggedIn(c);
            c.send(ONE_CHAT, obj("toid", "12", "msg", "wrong type"));
            assertEquals(11, c.await(ERROR).get("errno").asInt());
            c.send(ONE_CHAT, obj("toid", id, "msg", ""));
            assertEquals(14, c.await(ERROR).get("errno").asInt());
            c.send(ONE_CHAT, obj("toid", id, "msg", "x".repeat(4001)));
            assertEquals(14, c.await(ERROR).get("errno").asInt());
            c.send(ONE_CHAT, obj("toid", id, "msg", "ok", "cmid", "c".repeat(65)));
            assertEquals(14, c.await(ERROR).get("errno").asInt());
            c.send(ONE_CHAT, obj("toid", 99_999_999, "msg", "nobody"));
            assertEquals(15, c.await(ERROR).get("errno").asInt());
            c.send(UNKNOWN_MSGID, obj());
            JsonNode unknown = c.await(ERROR);
            assertEquals(12, unknown.get("errno").asInt());
            assertEquals(UNKNOWN_MSGID, unknown.get("ref").asInt());
            // Raw native frames, type first: ONE_CHAT (6) with broken JSON, HEARTBEAT (101) whose JSON says 6.
            c.sendRaw(new byte[] {0, 6, 0, 0, 0, 3, '{', 'x', '}'});
            assertEquals(11, c.await(ERROR).get("errno").asInt());
            c.sendRaw(new byte[] {0, 101, 0, 0, 0, 11, '{', '"', 'm', 's', 'g', 'i', 'd', '"', ':', '6', '}'});
            assertEquals(11, c.await(ERROR).get("errno").asInt(), "msgid in JSON differs from the type");
            c.send(REG, obj("name", "n", "password", "short"));
            assertEquals(14, c.await(REG_ACK).get("errno").asInt());
            c.send(HEARTBEAT, obj());
            c.await(HEARTBEAT_ACK);
        }
    }

    @ParameterizedTest(name = "legacy={0}")
    @ValueSource(booleans = {false, true})
    void aRegWithAnOverlongEncodingIsErrno11AndRegistersNothing(boolean legacy) throws IOException {
        try (WireClient c = legacy ? WireClient.legacyClient(server.address()) : connect()) {
            String name = uniqueName();
            // C0 AF is an overlong '/': a lenient decoder reads the name as name + "/x"
            c.sendJson(REG, withBytes("{\"msgid\":4,\"name\":\"" + name, "C0 AF", "x\",\"password\":\"secret1\"}"));
            JsonNode refused = c.await(legacy ? ERROR : REG_ACK);
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
            a.send(LOGIN, obj("id", ida, "password", "secret1"));
            assertEquals(0, a.await(LOGIN_ACK).get("errno").asInt());
            String head = "{\"msgid\":6,\"toid\":" + idb + ",\"msg\":\"a";
            a.sendJson(ONE_CHAT, withBytes(head, "ED A0 80", "b\",\"cmid\":\"cesu\"}")); // U+D800 in CESU-8
            assertInvalidChatRefused(a, legacy);
            a.sendJson(ONE_CHAT, (head + "\\ud800b\",\"cmid\":\"escape\"}").getBytes(StandardCharsets.UTF_8));
            assertInvalidChatRefused(a, legacy);

            a.send(ONE_CHAT, obj("toid", idb, "msg", "valid", "cmid", "ok"));
            if (!legacy) {
                assertEquals("ok", a.await(SEND_ACK).get("cmid").asText());
            }
            JsonNode push = b.await(ONE_CHAT);
            assertEquals("valid", push.get("msg").asText(), "the refused chats were not delivered");
            assertEquals(1, push.get("seq").asLong(), "nor numbered in the inbox");
            b.send(HISTORY, obj("peer", ida));
            JsonNode history = b.await(HISTORY_ACK);
            assertEquals(1, history.get("messages").size(), "nor stored: " + history);
        }
    }

    private static void assertInvalidChatRefused(WireClient a, boolean legacy) throws IOException {
        JsonNode error = a.await(ERROR);
        assertEquals(11, error.get("errno").asInt(), error.toString());
        if (!legacy) {
            assertEquals(ONE_CHAT.code(), error.get("ref").asInt());
        }
    }

    @Test
    void aFrameOverTheLimitIsErrno13AndClosesOnlyThatConnection() throws IOException {
        try (WireClient bad = connect(); WireClient good = connect()) {
            loggedIn(good);
            bad.sendRaw(new byte[] {0, 6, 0, 1, 0, 1}); // 65537 bytes announced
            assertEquals(13, bad.await(ERROR).get("errno").asInt());
            assertTrue(bad.closedByServer());
            good.send(HEARTBEAT, obj());
            good.await(HEARTBEAT_ACK);
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
                a.send(ONE_CHAT, obj("toid", idb, "msg", "burst " + i, "cmid", "c" + i));
            }
            for (int i = 0; i < count; i++) {
                JsonNode reply = a.await(frame -> frame.has("cmid") || hasType(frame, ERROR), "a reply");
                assertEquals(SEND_ACK.code(), reply.get("msgid").asInt(), "refused: " + reply);
                assertEquals("c" + i, reply.get("cmid").asText());
            }
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMillis >= 1000, "not shaped: " + elapsedMillis + " ms for " + count + " messages");
            for (int i = 0; i < count; i++) {
                assertEquals("burst " + i, b.await(ONE_CHAT).get("msg").asText());
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
                a.send(TYPING, obj("toid", idb + i));
            }
            a.send(HEARTBEAT, obj());
            a.await(HEARTBEAT_ACK);
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
            classic.send(REG, obj("name", name, "password", "secret1"));
            long idc = classic.await(REG_ACK).get("id").asLong();
            modern.send(ONE_CHAT, obj("toid", idc, "msg", "while you were away"));
            modern.await(SEND_ACK);

            classic.send(LOGIN, obj("id", idc, "password", "secret1"));
            JsonNode ack = classic.await(LOGIN_ACK);
            assertEquals(0, ack.get("errno").asInt());
            JsonNode offline = WireClient.JSON.readTree(ack.get("offlinemsg").get(0).asText());
            assertEquals("while you were away", offline.get("msg").asText());

            classic.send(ADD_FRIEND, obj("id", idc, "friendid", idm));
            classic.send(ONE_CHAT, obj("id", idc, "name", name, "toid", idm, "msg", "hello from 2014",
                    "time", "2014-01-01 00:00:00"));
            JsonNode push = modern.await(ONE_CHAT);
            assertEquals("hello from 2014", push.get("msg").asText());
            assertEquals(idc, push.get("id").asLong());

            modern.send(ONE_CHAT, obj("toid", idc, "msg", "live"));
            assertEquals("live", classic.await(ONE_CHAT).get("msg").asText());
            classic.expectSilence(300); // no reply to ADD_FRIEND, no SEND_ACK

            classic.send(LOGINOUT, obj("id", idc));
            classic.send(LOGIN, obj("id", idc, "password", "secret1"));
            JsonNode again = classic.await(LOGIN_ACK);
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
        c.send(REG, obj("name", name, "password", password));
        JsonNode ack = c.await(REG_ACK);
        assertEquals(0, ack.get("errno").asInt(), ack.toString());
        return ack.get("id").asLong();
    }

    /** Logs in and waits for the end of the inbox replay. */
    static JsonNode login(WireClient c, long id, String password) throws IOException {
        return login(c, id, password, "default");
    }

    /** Logs in on {@code device} and waits for the end of the inbox replay. */
    static JsonNode login(WireClient c, long id, String password, String device) throws IOException {
        c.send(LOGIN, obj("id", id, "password", password, "device", device));
        JsonNode ack = c.await(LOGIN_ACK);
        assertEquals(0, ack.get("errno").asInt(), ack.toString());
        c.await(SYNC_DONE);
        return ack;
    }

    private static long loggedIn(WireClient c) throws IOException {
        long id = register(c, uniqueName(), "secret1");
        login(c, id, "secret1");
        return id;
    }
}
