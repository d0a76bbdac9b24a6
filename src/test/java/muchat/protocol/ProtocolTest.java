package muchat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProtocolTest {

    private static ObjectNode body(String json) throws Exception {
        return (ObjectNode) Json.MAPPER.readTree(json);
    }

    private static Request parse(MsgType type, String json) throws Exception {
        return Request.parse(type, body(json));
    }

    private static Errno refusal(MsgType type, String json) throws Exception {
        ObjectNode body = body(json);
        return assertThrows(ProtocolException.class, () -> Request.parse(type, body)).errno();
    }

    @Test
    void everyWireCodeMapsBackToItsType() {
        for (MsgType t : MsgType.values()) {
            assertEquals(t, MsgType.of(t.code()));
        }
        assertEquals(MsgType.HISTORY_ACK, MsgType.of(109));
        assertNull(MsgType.of(11));
        assertNull(MsgType.of(-1));
        assertNull(MsgType.of(70000));
        assertEquals(Errno.UNAVAILABLE, Errno.of(50));
    }

    @Test
    void aClassicLoginWithExtraFieldsIsRead() throws Exception {
        Login login = (Login) parse(MsgType.LOGIN, "{\"msgid\":1,\"id\":13,\"password\":\"123456\",\"time\":\"x\"}");
        assertEquals(new Login(13L, null, "123456"), login);
    }

    @Test
    void aChatWithExtraSenderFieldsIsRead() throws Exception {
        OneChat chat = (OneChat) parse(MsgType.ONE_CHAT,
                "{\"msgid\":6,\"id\":1,\"name\":\"zhang\",\"toid\":2,\"msg\":\"hi\",\"time\":\"2026-01-01 00:00:00\"}");
        assertEquals(new OneChat(2L, "hi", null), chat);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"toid\":\"12\",\"msg\":\"hi\"}",
            "{\"toid\":1.5,\"msg\":\"hi\"}",
            "{\"toid\":true,\"msg\":\"hi\"}",
            "{\"toid\":2,\"msg\":12}",
            "{\"toid\":2,\"msg\":[\"hi\"]}",
            "{\"toid\":2,\"msg\":{\"a\":1}}",
            "{\"toid\":2,\"msg\":\"hi\",\"cmid\":7}",
            "{\"toid\":2,\"msg\":true}",
    })
    void aFieldOfTheWrongJsonTypeIsMalformed(String json) throws Exception {
        assertEquals(Errno.MALFORMED, refusal(MsgType.ONE_CHAT, json));
    }

    @Test
    void wrongTypesAreMalformedForEveryIdField() throws Exception {
        assertEquals(Errno.MALFORMED, refusal(MsgType.LOGIN, "{\"id\":\"12\",\"password\":\"123456\"}"));
        assertEquals(Errno.MALFORMED, refusal(MsgType.RECV_ACK, "{\"seq\":\"3\"}"));
        assertEquals(Errno.MALFORMED, refusal(MsgType.HISTORY, "{\"peer\":2,\"limit\":2.0}"));
        assertEquals(Errno.MALFORMED, refusal(MsgType.ADD_GROUP, "{\"groupid\":\"\"}"));
    }

    @Test
    void theWrongTypeErrorNamesTheField() throws Exception {
        ObjectNode b = body("{\"toid\":\"12\",\"msg\":\"hi\"}");
        ProtocolException e = assertThrows(ProtocolException.class, () -> Request.parse(MsgType.ONE_CHAT, b));
        assertTrue(e.getMessage().contains("toid"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"msg\":\"hi\"}",
            "{\"toid\":2}",
            "{\"toid\":2,\"msg\":\"\"}",
            "{\"toid\":0,\"msg\":\"hi\"}",
            "{\"toid\":2,\"msg\":\"hi\",\"cmid\":\"\"}",
            "{\"toid\":null,\"msg\":\"hi\"}",
    })
    void missingOrEmptyValuesAreInvalid(String json) throws Exception {
        assertEquals(Errno.INVALID_FIELD, refusal(MsgType.ONE_CHAT, json));
    }

    @Test
    void lengthsAreCountedInCharactersNotBytes() throws Exception {
        String fiftyHan = "\u4f60".repeat(50);
        String fiftyEmoji = "\ud83d\ude00".repeat(50); // 100 UTF-16 units, 50 characters
        assertEquals(new Reg(fiftyHan, "secret"), parse(MsgType.REG, "{\"name\":\"" + fiftyHan + "\",\"password\":\"secret\"}"));
        parse(MsgType.REG, "{\"name\":\"" + fiftyEmoji + "\",\"password\":\"secret\"}");
        assertEquals(Errno.INVALID_FIELD,
                refusal(MsgType.REG, "{\"name\":\"" + fiftyHan + "x\",\"password\":\"secret\"}"));
        String msg4000 = "\u00e9".repeat(4000);
        parse(MsgType.GROUP_CHAT, "{\"groupid\":1,\"msg\":\"" + msg4000 + "\"}");
        assertEquals(Errno.INVALID_FIELD, refusal(MsgType.GROUP_CHAT, "{\"groupid\":1,\"msg\":\"" + msg4000 + "e\"}"));
        parse(MsgType.ONE_CHAT, "{\"toid\":1,\"msg\":\"m\",\"cmid\":\"" + "c".repeat(64) + "\"}");
        assertEquals(Errno.INVALID_FIELD, refusal(MsgType.ONE_CHAT, "{\"toid\":1,\"msg\":\"m\",\"cmid\":\"" + "c".repeat(65) + "\"}"));
    }

    @Test
    void registrationLimitsFollowTheProtocol() throws Exception {
        assertEquals(Errno.INVALID_FIELD, refusal(MsgType.REG, "{\"name\":\"a\",\"password\":\"12345\"}"));
        assertEquals(Errno.INVALID_FIELD, refusal(MsgType.REG, "{\"name\":\"a\",\"password\":\"" + "p".repeat(51) + "\"}"));
        assertEquals(Errno.INVALID_FIELD, refusal(MsgType.REG, "{\"name\":\"\",\"password\":\"123456\"}"));
        assertEquals(Errno.INVALID_FIELD, refusal(MsgType.LOGIN, "{\"password\":\"123456\"}"));
        assertEquals(new Login(null, "bob", "123456"), parse(MsgType.LOGIN, "{\"name\":\"bob\",\"password\":\"123456\"}"));
    }

    @Test
    void groupsAndHistoryHaveTheirDefaults() throws Exception {
        assertEquals(new CreateGroup("g", "", true), parse(MsgType.CREATE_GROUP, "{\"groupname\":\"g\"}"));
        assertEquals(Errno.INVALID_FIELD, refusal(MsgType.CREATE_GROUP, "{\"groupname\":\"g\",\"groupdesc\":\"" + "d".repeat(201) + "\"}"));
        assertEquals(new History(2L, null, null, 50), parse(MsgType.HISTORY, "{\"peer\":2}"));
        assertEquals(Errno.INVALID_FIELD, refusal(MsgType.HISTORY, "{\"peer\":2,\"groupid\":3}"));
        assertEquals(Errno.INVALID_FIELD, refusal(MsgType.HISTORY, "{}"));
        assertEquals(Errno.INVALID_FIELD, refusal(MsgType.HISTORY, "{\"groupid\":3,\"limit\":0}"));
        assertEquals(Errno.INVALID_FIELD, refusal(MsgType.HISTORY, "{\"groupid\":3,\"limit\":101}"));
        assertEquals(Errno.INVALID_FIELD, refusal(MsgType.SYNC, "{}"));
        assertEquals(new Sync(0L), parse(MsgType.SYNC, "{\"after\":0}"));
    }

    @Test
    void closedGroupFlagsAreJsonBooleansAndADecisionNeedsOne() throws Exception {
        assertEquals(new CreateGroup("g", "", false), parse(MsgType.CREATE_GROUP, "{\"groupname\":\"g\",\"open\":false}"));
        assertEquals(Errno.MALFORMED, refusal(MsgType.CREATE_GROUP, "{\"groupname\":\"g\",\"open\":0}"));
        assertEquals(new GroupRequests(7L), parse(MsgType.GROUP_REQUESTS, "{\"groupid\":7}"));
        assertEquals(Errno.INVALID_FIELD, refusal(MsgType.GROUP_REQUESTS, "{}"));
        assertEquals(new GroupDecide(7L, 5L, true),
                parse(MsgType.GROUP_DECIDE, "{\"groupid\":7,\"userid\":5,\"accept\":true}"));
        assertEquals(Errno.INVALID_FIELD, refusal(MsgType.GROUP_DECIDE, "{\"groupid\":7,\"userid\":5}"));
        assertEquals(Errno.MALFORMED, refusal(MsgType.GROUP_DECIDE, "{\"groupid\":7,\"userid\":5,\"accept\":\"yes\"}"));
    }

    @Test
    void messagesWithoutFieldsReadFromAnEmptyBody() throws Exception {
        assertEquals(new Heartbeat(), parse(MsgType.HEARTBEAT, "{}"));
        assertEquals(new LoginOut(), parse(MsgType.LOGINOUT, "{\"msgid\":3}"));
    }

    @Test
    void aServerOnlyTypeIsNotARequest() throws Exception {
        assertEquals(Errno.UNKNOWN_MSGID, refusal(MsgType.LOGIN_ACK, "{}"));
    }

    @Test
    void everyReplyCarriesItsMsgidFirstAndLeavesNullsOut() throws Exception {
        assertEquals("{\"msgid\":103,\"cmid\":\"c1\",\"mid\":9,\"ts\":5,\"time\":\"t\"}",
                Json.text(new SendAck("c1", 9, 5, "t")));
        assertEquals("{\"msgid\":2,\"errno\":1,\"errmsg\":\"wrong id or password\"}",
                Json.text(LoginAck.error(Errno.WRONG_CREDENTIALS, Errno.WRONG_CREDENTIALS.sentence())));
        assertEquals("{\"msgid\":102,\"ts\":7}", Json.text(new HeartbeatAck(7)));
        assertEquals("{\"msgid\":7,\"errno\":0}", Json.text(AddFriendAck.ok()));
        assertEquals("{\"msgid\":100,\"errno\":16,\"errmsg\":\"no\",\"ref\":10,\"cmid\":\"c\"}",
                Json.text(ErrorReply.forRequest(MsgType.GROUP_CHAT, Errno.FORBIDDEN, "no", "c")));
        assertEquals("{\"msgid\":7,\"errno\":15,\"errmsg\":\"no\"}",
                Json.text(ErrorReply.forRequest(MsgType.ADD_FRIEND, Errno.NO_SUCH_TARGET, "no", null)));
    }

    @Test
    void aPushedChatHasEveryFieldOfTheProtocol() throws Exception {
        ChatMessage m = ChatMessage.toGroup(3, "alice", 7, "hello", 1000, 42).withSeq(5L);
        JsonNode json = Json.MAPPER.readTree(Json.text(m));
        assertEquals(MsgType.GROUP_CHAT.code(), json.get("msgid").intValue());
        for (String f : List.of("id", "name", "groupid", "msg", "time", "ts", "mid", "seq")) {
            assertTrue(json.has(f), f);
        }
        assertTrue(!json.has("toid"));
        assertEquals(m, Json.read((ObjectNode) json, ChatMessage.class));
        assertEquals(MsgType.ONE_CHAT.code(),
                Json.MAPPER.readTree(Json.text(ChatMessage.toUser(3, "a", 4, "x", 1, 2))).get("msgid").intValue());
    }

    @Test
    void aNativeLoginAckRoundTripsWithNestedLists() throws Exception {
        LoginAck ack = LoginAck.ok(1, "a", List.of(new Friend(2, "b", Presence.ONLINE)),
                List.of(new Group(5, "g", "d", List.of(new GroupUser(1, "a", Presence.OFFLINE, Role.CREATOR)))), 9);
        String text = Json.text(ack);
        assertTrue(text.contains("\"state\":\"online\"") && text.contains("\"role\":\"creator\""), text);
        assertEquals(ack, Json.read((ObjectNode) Json.MAPPER.readTree(text), LoginAck.class));
    }

    @Test
    void theLegacyLoginAckHoldsJsonTexts() throws Exception {
        LegacyLoginAck ack = LegacyLoginAck.ok(1, "a", List.of(new Friend(2, "b", Presence.OFFLINE)),
                List.of(new Group(5, "g", "d", List.of(new GroupUser(1, "a", Presence.ONLINE, Role.NORMAL)))),
                List.of(ChatMessage.toUser(2, "b", 1, "hi", 0, 1)));
        JsonNode json = Json.MAPPER.readTree(Json.text(ack));
        assertEquals(MsgType.LOGIN_ACK.code(), json.get("msgid").intValue());
        assertEquals(0, json.get("errno").intValue());
        assertTrue(json.get("friends").get(0).isTextual());
        JsonNode friend = Json.MAPPER.readTree(json.get("friends").get(0).textValue());
        assertEquals("offline", friend.get("state").textValue());
        JsonNode group = Json.MAPPER.readTree(json.get("groups").get(0).textValue());
        assertEquals("g", group.get("groupname").textValue());
        JsonNode user = Json.MAPPER.readTree(group.get("users").get(0).textValue());
        assertEquals("normal", user.get("role").textValue());
        JsonNode offline = Json.MAPPER.readTree(json.get("offlinemsg").get(0).textValue());
        assertEquals(MsgType.ONE_CHAT.code(), offline.get("msgid").intValue());
        assertEquals("hi", offline.get("msg").textValue());

        JsonNode empty = Json.MAPPER.readTree(Json.text(LegacyLoginAck.ok(1, "a", List.of(), List.of(), List.of())));
        assertTrue(!empty.has("friends") && !empty.has("groups") && !empty.has("offlinemsg"));
    }

    @Test
    void timeIsLocalWallClockToTheSecond() {
        long ms = LocalDateTime.of(2026, 11, 23, 10, 1, 2).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli() + 999;
        assertEquals("2026-11-23 10:01:02", Json.localTime(ms));
        assertEquals("2026-11-23 10:01:02", Json.localTime(ms - 999), "the same second, kept");
        assertEquals("2026-11-23 10:01:03", Json.localTime(ms + 1), "the next second");
        assertEquals("2026-11-23 10:01:02", Json.localTime(ms), "and back: not the kept one");
    }

    @Test
    void cmidIsFoundOnlyWhenItIsAString() throws Exception {
        assertEquals("c9", Json.cmidOf(body("{\"cmid\":\"c9\"}")));
        assertNull(Json.cmidOf(body("{\"cmid\":9}")));
    }
}
