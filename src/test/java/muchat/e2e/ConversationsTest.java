package muchat.e2e;

import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.ADD_GROUP;
import static muchat.protocol.MsgType.CONVERSATIONS;
import static muchat.protocol.MsgType.CONVERSATIONS_ACK;
import static muchat.protocol.MsgType.CREATE_GROUP;
import static muchat.protocol.MsgType.ERROR;
import static muchat.protocol.MsgType.GROUP_CHAT;
import static muchat.protocol.MsgType.HEARTBEAT;
import static muchat.protocol.MsgType.HEARTBEAT_ACK;
import static muchat.protocol.MsgType.HISTORY;
import static muchat.protocol.MsgType.HISTORY_ACK;
import static muchat.protocol.MsgType.LOGIN;
import static muchat.protocol.MsgType.LOGIN_ACK;
import static muchat.protocol.MsgType.ONE_CHAT;
import static muchat.protocol.MsgType.READ;
import static muchat.protocol.MsgType.RECALL;
import static muchat.protocol.MsgType.REG;
import static muchat.protocol.MsgType.REG_ACK;
import static muchat.protocol.MsgType.SEND_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Conversations, read positions, read receipts and recalls over real sockets
 * (docs/protocol.md section 3, CONVERSATIONS to RECALL), and classic clients untouched by them.
 */
class ConversationsTest {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static ServerFixture server;
    /** A server on which no message may be recalled any more: its window is 0 s. */
    private static ServerFixture noRecalls;

    @BeforeAll
    static void startServers() throws IOException {
        server = new ServerFixture("--max-registrations-per-address", "0");
        noRecalls = new ServerFixture("--max-registrations-per-address", "0", "--recall-window", "0");
    }

    @AfterAll
    static void stopServers() {
        server.close();
        noRecalls.close();
    }

    // ---- conversations and unread counts

    @Test
    void messagesWhileOfflineAreUnreadUntilReadAndAPositionNeverMovesBack() throws IOException {
        try (ChatUser alice = user(); ChatUser bob = user()) {
            alice.loginAt(server.address());
            List<Long> mids = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                mids.add(sent(alice, alice.chat(bob.id(), "while you were away " + i)));
            }

            JsonNode ack = bob.loginAt(server.address());
            assertEquals(3, ack.get("unread").asLong(), "LOGIN_ACK counts the unread messages");
            JsonNode withAlice = onlyConversation(bob);
            assertEquals(alice.id(), withAlice.get("peer").asLong());
            assertEquals(alice.name(), withAlice.get("name").asText());
            assertEquals(3, withAlice.get("unread").asLong());
            assertEquals("while you were away 3", withAlice.get("last").get("msg").asText());
            assertEquals(mids.get(2), withAlice.get("last").get("mid").asLong());

            read(bob, "peer", alice.id(), mids.get(1));
            assertEquals(1, onlyConversation(bob).get("unread").asLong());
            read(bob, "peer", alice.id(), mids.get(0));
            JsonNode after = onlyConversation(bob);
            assertEquals(1, after.get("unread").asLong(), "an older READ moves nothing back");
            assertEquals(mids.get(1), after.get("read").asLong());
            assertEquals(1, bob.loginAt(server.address()).get("unread").asLong());
        }
    }

    @Test
    void conversationsComeNewestFirstAndTheUsersOwnMessagesAreNeverUnread() throws IOException {
        try (ChatUser alice = user(); ChatUser bob = user(); ChatUser carol = user()) {
            alice.loginAt(server.address());
            bob.loginAt(server.address());
            carol.loginAt(server.address());
            long group = createGroup(alice, bob);
            sent(carol, carol.chat(alice.id(), "from carol"));
            long fromBob = sent(bob, bob.chat(alice.id(), "from bob"));
            long reply = sent(alice, alice.chat(carol.id(), "answer to carol"));
            long inGroup = sent(bob, bob.groupChat(group, "to the group"));

            List<JsonNode> convs = conversations(alice);
            assertEquals(List.of(inGroup, reply, fromBob), lastMids(convs));
            assertEquals(group, convs.get(0).get("groupid").asLong());
            assertEquals(1, convs.get(0).get("unread").asLong());
            assertEquals(0, convs.get(1).get("unread").asLong(), "carol's message is older than alice's answer");
            assertEquals(1, convs.get(2).get("unread").asLong());

            long own = sent(alice, alice.groupChat(group, "alice to the group"));
            JsonNode groupConv = conversations(alice).get(0);
            assertEquals(own, groupConv.get("last").get("mid").asLong());
            assertEquals(0, groupConv.get("unread").asLong(), "sending reads the conversation up to it");
        }
    }

    // ---- read receipts

    @Test
    void readingAOneToOneConversationSendsTheWriterAReceipt() throws IOException {
        try (ChatUser alice = user(); ChatUser bob = user()) {
            alice.loginAt(server.address());
            bob.loginAt(server.address());
            long mid = sent(alice, alice.chat(bob.id(), "did you read this?"));
            bob.awaitPushes(1);

            read(bob, "peer", alice.id(), mid);

            JsonNode receipt = alice.awaitFrame(READ);
            assertEquals(bob.id(), receipt.get("id").asLong());
            assertEquals(bob.id(), receipt.get("peer").asLong());
            assertEquals(mid, receipt.get("mid").asLong());
            assertEquals(1, receipt.get("seq").asLong(), "a receipt is numbered in alice's inbox");
        }
    }

    @Test
    void aWriterWhoIsOfflineGetsTheReceiptAtLogin() throws IOException {
        try (ChatUser alice = user(); ChatUser bob = user()) {
            alice.loginAt(server.address());
            long mid = sent(alice, alice.chat(bob.id(), "read it while I am away"));
            alice.close();

            bob.loginAt(server.address());
            read(bob, "peer", alice.id(), mid);
            bob.call(HEARTBEAT, obj(), HEARTBEAT_ACK); // the READ before it has been handled

            alice.loginAt(server.address());
            ChatUser.Push receipt = alice.pushes().get(alice.pushes().size() - 1);
            assertEquals(READ, receipt.type());
            assertEquals(bob.id(), receipt.from());
            assertEquals(mid, receipt.mid());
        }
    }

    @Test
    void readingAGroupMovesOnlyTheReadersPositionAndSendsNoReceipt() throws IOException {
        try (ChatUser alice = user(); ChatUser bob = user()) {
            alice.loginAt(server.address());
            bob.loginAt(server.address());
            long group = createGroup(alice, bob);
            long mid = sent(alice, alice.groupChat(group, "read by whom?"));
            bob.awaitPushes(1);

            read(bob, "groupid", group, mid);
            assertEquals(0, conversations(bob).get(0).get("unread").asLong());
            sent(bob, bob.chat(alice.id(), "after reading"));

            ChatUser.Push next = pushAfter(alice, 0);
            assertEquals(ONE_CHAT, next.type(), "no receipt before bob's message: " + next);
        }
    }

    @Test
    void aReadOfAMessageOutsideTheConversationIsErrno15() throws IOException {
        try (ChatUser alice = user(); ChatUser bob = user(); ChatUser carol = user()) {
            alice.loginAt(server.address());
            long mid = sent(alice, alice.chat(bob.id(), "not for carol"));
            carol.loginAt(server.address());

            carol.send(READ, obj("peer", alice.id(), "mid", mid));
            JsonNode refused = carol.awaitFrame(ERROR);
            assertEquals(15, refused.get("errno").asInt());
            assertEquals(READ.code(), refused.get("ref").asInt());
        }
    }

    // ---- recall

    @Test
    void aRecallReachesOnlineAndOfflineRecipientsAndHistory() throws IOException {
        try (ChatUser alice = user(); ChatUser bob = user(); ChatUser carol = user()) {
            alice.loginAt(server.address());
            bob.loginAt(server.address());
            carol.loginAt(server.address());
            long group = createGroup(alice, bob, carol);
            carol.close();
            long mid = sent(alice, alice.groupChat(group, "oops, wrong group"));
            bob.awaitPushes(1);

            alice.send(RECALL, obj("mid", mid));

            JsonNode atBob = bob.awaitFrame(RECALL);
            assertEquals(mid, atBob.get("mid").asLong());
            assertEquals(alice.id(), atBob.get("id").asLong());
            assertEquals(group, atBob.get("groupid").asLong());
            assertEquals(mid, alice.awaitFrame(RECALL).get("mid").asLong(), "the sender's inbox gets it too");

            carol.loginAt(server.address());
            List<ChatUser.Push> atCarol = carol.pushes();
            assertEquals(List.of(GROUP_CHAT, RECALL), atCarol.stream().map(ChatUser.Push::type).toList());
            assertEquals("", atCarol.get(0).msg(), "the recalled message reaches carol without its text");

            JsonNode shown = bob.call(HISTORY, obj("groupid", group), HISTORY_ACK).get("messages").get(0);
            assertEquals(mid, shown.get("mid").asLong());
            assertTrue(shown.get("recalled").asBoolean());
            assertEquals("", shown.get("msg").asText());
        }
    }

    @Test
    void recallingSomeoneElsesMessageOrTooLateIsErrno16() throws IOException {
        try (ChatUser alice = user(); ChatUser bob = user()) {
            alice.loginAt(server.address());
            bob.loginAt(server.address());
            long mid = sent(alice, alice.chat(bob.id(), "mine"));
            bob.send(RECALL, obj("mid", mid));
            assertEquals(16, bob.awaitFrame(ERROR).get("errno").asInt());
        }
        try (ChatUser alice = user(noRecalls); ChatUser bob = user(noRecalls)) {
            alice.loginAt(noRecalls.address());
            long mid = sent(alice, alice.chat(bob.id(), "too late"));
            alice.send(RECALL, obj("mid", mid));
            JsonNode refused = alice.awaitFrame(ERROR);
            assertEquals(16, refused.get("errno").asInt());
            assertEquals(RECALL.code(), refused.get("ref").asInt());
            JsonNode kept = alice.call(HISTORY, obj("peer", bob.id()), HISTORY_ACK).get("messages").get(0);
            assertEquals("too late", kept.get("msg").asText());
            assertFalse(kept.has("recalled"));
        }
    }

    // ---- classic clients

    @Test
    void aClassicClientNeverGetsARecalledMessageItHadNotBeenSentNorAnyReceiptOrRecall() throws IOException {
        try (ChatUser alice = user(); WireClient classic = WireClient.legacyClient(server.address())) {
            alice.loginAt(server.address());
            String name = uniqueName();
            classic.send(REG, obj("name", name, "password", "secret1"));
            long idc = classic.await(REG_ACK).get("id").asLong();
            long recalled = sent(alice, alice.chat(idc, "never shown"));
            alice.send(RECALL, obj("mid", recalled));
            alice.awaitFrame(RECALL);
            sent(alice, alice.chat(idc, "shown"));

            classic.send(LOGIN, obj("id", idc, "password", "secret1"));
            JsonNode ack = classic.await(LOGIN_ACK);
            assertEquals(1, ack.get("offlinemsg").size(), ack.toString());
            assertEquals("shown", WireClient.JSON.readTree(ack.get("offlinemsg").get(0).asText()).get("msg").asText());
            assertFalse(ack.has("unread"));

            long kept = sent(alice, alice.chat(idc, "shown before its recall"));
            assertEquals(kept, classic.await(ONE_CHAT).get("mid").asLong());
            alice.send(RECALL, obj("mid", kept));
            alice.awaitFrame(RECALL);
            classic.send(ONE_CHAT, obj("id", idc, "name", name, "toid", alice.id(), "msg", "read yours"));
            long fromClassic = alice.awaitFrame(ONE_CHAT).get("mid").asLong();
            read(alice, "peer", idc, fromClassic);
            sent(alice, alice.chat(idc, "after the recall and the read"));

            JsonNode next = classic.await(f -> true, "the next frame");
            assertEquals(ONE_CHAT.code(), next.get("msgid").asInt(), "no READ or RECALL for a classic client: " + next);
            assertEquals("after the recall and the read", next.get("msg").asText());
            classic.send(CONVERSATIONS, obj("id", idc));
            assertEquals(12, classic.await(ERROR).get("errno").asInt(), "CONVERSATIONS is an unknown msgid to a classic client");
        }
    }

    // ---- the terminal client

    @Test
    void theTerminalClientListsConversationsMarksThemReadAndShowsReceiptsAndRecalls() throws Exception {
        String alice = uniqueName();
        String bob = uniqueName();
        try (Terminal a = new Terminal("alice", server.address()); Terminal b = new Terminal("bob", server.address())) {
            long aliceId = a.register(alice, ChatUser.PASSWORD);
            long bobId = a.register(bob, ChatUser.PASSWORD);
            a.login(alice, ChatUser.PASSWORD);
            b.login(bob, ChatUser.PASSWORD);

            b.type("chat:" + aliceId + ":first", "chat:" + aliceId + ":second");
            a.await("-> you: second");
            a.type("convs");
            a.await("conversations:");
            a.await("  " + bobId + "  " + bob + "  2 unread  last: ");

            a.type("read:" + bobId);
            a.await("marked read: 2 message(s)");
            b.await("(read) user " + aliceId + " has read up to mid ");
            a.type("convs");
            a.await("  " + bobId + "  " + bob + "  0 unread");

            a.type("chat:" + bobId + ":sorry, wrong person");
            long mid = Long.parseLong(a.await(Pattern.compile("\\(sent .*, mid (\\d+)\\)")).group(1));
            b.await("-> you: sorry, wrong person");
            a.type("recall:" + mid);
            b.await("(recalled) user " + aliceId + " took back mid " + mid + " (to you)");
            a.await("(recalled) you took back mid " + mid);

            b.type("history:" + aliceId);
            b.await("-> you: (recalled)");
            a.type("chat:" + bobId + ":unread until history");
            a.await("(sent ");
            b.await("-> you: unread until history");
            b.type("history:" + aliceId);
            b.await("-> you: unread until history");
            b.type("convs");
            b.await(Pattern.compile("  " + aliceId + "  .*  0 unread"));

            a.type("chat:" + bobId + ":while you are away");
            a.await("(sent ");
            b.type("loginout");
            b.login(bob, ChatUser.PASSWORD);
            b.await("1 unread message(s): type convs to see where");
        }
    }

    // ---- helpers

    private static ChatUser user() throws IOException {
        return user(server);
    }

    private static ChatUser user(ServerFixture at) throws IOException {
        return ChatUser.register(at.address(), uniqueName());
    }

    private static String uniqueName() {
        return "conv" + NAMES.incrementAndGet();
    }

    /** The mid of a chat once SEND_ACK came. */
    private static long sent(ChatUser user, String cmid) throws IOException {
        JsonNode ack = user.awaitOutcome(cmid);
        assertEquals(SEND_ACK.code(), ack.get("msgid").asInt(), ack.toString());
        return ack.get("mid").asLong();
    }

    /** Sends READ, then a HEARTBEAT whose answer says the READ before it has been handled. */
    private static void read(ChatUser user, String field, long id, long mid) throws IOException {
        user.send(READ, obj(field, id, "mid", mid));
        user.call(HEARTBEAT, obj(), HEARTBEAT_ACK);
    }

    private static List<JsonNode> conversations(ChatUser user) throws IOException {
        JsonNode ack = user.call(CONVERSATIONS, obj(), CONVERSATIONS_ACK);
        assertEquals(0, ack.get("errno").asInt(), ack.toString());
        List<JsonNode> out = new ArrayList<>();
        ack.get("convs").forEach(out::add);
        return out;
    }

    private static JsonNode onlyConversation(ChatUser user) throws IOException {
        List<JsonNode> convs = conversations(user);
        assertEquals(1, convs.size(), convs.toString());
        return convs.get(0);
    }

    private static List<Long> lastMids(List<JsonNode> convs) {
        return convs.stream().map(c -> c.get("last").get("mid").asLong()).toList();
    }

    /** A group that {@code creator} made and the others (logged in) joined. */
    private static long createGroup(ChatUser creator, ChatUser... others) throws IOException {
        JsonNode created = creator.call(CREATE_GROUP, obj("groupname", "g", "groupdesc", ""), CREATE_GROUP);
        long group = created.get("groupid").asLong();
        for (ChatUser other : others) {
            assertEquals(0, other.call(ADD_GROUP, obj("groupid", group), ADD_GROUP).get("errno").asInt());
        }
        return group;
    }

    /** The push that follows the first {@code count} pushes of {@code user}. */
    private static ChatUser.Push pushAfter(ChatUser user, int count) throws IOException {
        user.awaitPushes(count + 1);
        return user.pushes().get(count);
    }
}
