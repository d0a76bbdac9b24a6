package muchat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import muchat.protocol.AddGroup;
import muchat.protocol.AddGroupAck;
import muchat.protocol.ChatMessage;
import muchat.protocol.CreateGroup;
import muchat.protocol.Errno;
import muchat.protocol.ErrorReply;
import muchat.protocol.Friend;
import muchat.protocol.GroupChat;
import muchat.protocol.GroupDecide;
import muchat.protocol.GroupDecideAck;
import muchat.protocol.GroupRequests;
import muchat.protocol.GroupRequestsAck;
import muchat.protocol.Json;
import muchat.protocol.Kicked;
import muchat.protocol.Login;
import muchat.protocol.LoginAck;
import muchat.protocol.Message;
import muchat.protocol.MsgType;
import muchat.protocol.OneChat;
import muchat.protocol.Presence;
import muchat.protocol.RecvAck;
import muchat.protocol.SendAck;
import muchat.protocol.Sync;
import muchat.protocol.SyncDone;
import org.junit.jupiter.api.Test;

class ClientSessionTest {
    private static final long ME = 1;

    private final List<Message> sent = new ArrayList<>();
    private final List<String> shown = new ArrayList<>();
    private boolean connected = true;
    private final ClientSession session = new ClientSession(
            m -> connected && sent.add(m), shown::add, new Outbox("t"));

    private void receive(Message m) {
        session.frame(m.msgid(), (ObjectNode) Json.MAPPER.valueToTree(m));
    }

    private static ChatMessage push(long seq, String msg) {
        return ChatMessage.toUser(2, "bob", ME, msg, 0, 100 + seq).withSeq(seq);
    }

    private LoginAck loggedIn(long acked) {
        CompletableFuture<LoginAck> reply = session.login(new Login(ME, null, "secret"));
        LoginAck ack = LoginAck.ok(ME, "alice", List.of(new Friend(2, "bob", Presence.ONLINE)), List.of(), acked);
        receive(ack);
        assertTrue(reply.isDone());
        return ack;
    }

    private long shownCount(String text) {
        return shown.stream().filter(l -> l.contains(text)).count();
    }

    @Test
    void loginShowsTheFriendListAndWaitingMessagesOnce() {
        loggedIn(0);
        assertTrue(session.hasUser());
        assertTrue(shown.stream().anyMatch(l -> l.contains("bob") && l.contains("online")), shown.toString());
        receive(push(1, "first"));
        receive(push(2, "second"));
        receive(new SyncDone(2, false));
        assertEquals(1, shownCount("bob(2) -> you: first"));
        assertEquals(1, shownCount("2 waiting message(s)"));
    }

    @Test
    void aReplayInPagesIsFollowedWithSyncUntilNothingMoreIsWaiting() {
        loggedIn(0);
        receive(push(1, "one"));
        receive(push(2, "two"));
        receiveSyncDone(2, true);
        assertEquals(List.of(new Sync(2L)), syncsSent(), "the next page is asked for from upto");
        assertEquals(0, shownCount("waiting message(s)"), "the replay is not over yet");
        receive(push(3, "three"));
        receiveSyncDone(3, false);
        assertEquals(List.of(new Sync(2L)), syncsSent(), "the last page asks for nothing more");
        assertEquals(1, shownCount("3 waiting message(s)"), shown.toString());
    }

    /** SYNC_DONE as the server writes it, built by hand so that the test reads the wire format. */
    private void receiveSyncDone(long upto, boolean more) {
        int msgid = MsgType.SYNC_DONE.code();
        session.frame(msgid, Json.MAPPER.createObjectNode().put("msgid", msgid).put("upto", upto).put("more", more));
    }

    private List<Message> syncsSent() {
        return sent.stream().filter(m -> m instanceof Sync).toList();
    }

    @Test
    void duplicatesBySeqAreDroppedAndTheHighestContiguousSeqIsAcked() {
        loggedIn(0);
        receive(new SyncDone(0, false));
        receive(push(1, "one"));
        receive(push(1, "one"));
        receive(push(2, "two"));
        session.flushAck();
        assertEquals(1, shownCount("you: one"));
        assertEquals(List.of(new RecvAck(2L)), sent.stream().filter(m -> m instanceof RecvAck).toList());
        session.flushAck();
        assertEquals(1, sent.stream().filter(m -> m instanceof RecvAck).count(), "nothing new to ack");
    }

    @Test
    void aGapIsNotAckedAwayButSyncedFromTheLastContiguousSeq() {
        loggedIn(0);
        receive(new SyncDone(0, false));
        receive(push(1, "one"));
        receive(push(3, "three"));
        session.flushAck();
        assertTrue(sent.contains(new Sync(1L)), sent.toString());
        assertTrue(sent.contains(new RecvAck(1L)));
        receive(push(2, "two"));
        receive(push(3, "three"));
        receive(new SyncDone(3, false));
        session.flushAck();
        assertEquals(1, shownCount("you: three"));
        assertTrue(sent.contains(new RecvAck(3L)));
    }

    @Test
    void aRefusedReplayIsShownAndTheNextGapAsksAgain() {
        loggedIn(0);
        receive(new ErrorReply(Errno.UNAVAILABLE.code(), Errno.UNAVAILABLE.sentence(), MsgType.SYNC.code(), null));
        assertEquals(1, shownCount("temporarily unavailable"), shown.toString());
        receive(push(2, "two"));
        assertTrue(sent.contains(new Sync(0L)), "no SYNC_DONE is coming, so the gap is synced: " + sent);
    }

    @Test
    void afterAReconnectItLogsInAgainResumesWithoutRepeatsAndResendsUnackedChatsWithTheSameCmid() {
        loggedIn(0);
        receive(push(1, "one"));
        receive(push(2, "two"));
        receive(new SyncDone(2, false));
        session.execute(Command.parse("chat:2:are you there"));
        session.execute(Command.parse("groupchat:9:hi group"));
        OneChat chat = (OneChat) sent.stream().filter(m -> m instanceof OneChat).findFirst().orElseThrow();
        receive(SendAck.of(((GroupChat) sent.get(sent.size() - 1)).cmid(), 50, 0));

        connected = false;
        session.disconnected();
        session.execute(Command.parse("chat:2:while offline"));
        assertEquals(1, shownCount("will send after reconnecting"));
        connected = true;
        sent.clear();
        session.connected();
        assertEquals(List.of(new Login(ME, null, "secret")), sent);

        receive(LoginAck.ok(ME, "alice", List.of(), List.of(), 1)); // our RECV_ACK 2 was lost
        List<OneChat> resent = sent.stream().filter(m -> m instanceof OneChat).map(m -> (OneChat) m).toList();
        assertEquals(List.of(chat, new OneChat(2L, "while offline", "t-3")), resent);
        receive(push(2, "two"));
        receive(push(3, "three"));
        receive(new SyncDone(3, false));
        session.flushAck();
        assertEquals(1, shownCount("you: two"));
        assertEquals(1, shownCount("you: three"));
        assertEquals(1, shownCount("reconnected as alice"));
        assertTrue(sent.contains(new RecvAck(3L)));
        receive(SendAck.of(chat.cmid(), 51, 0));
        receive(SendAck.of(chat.cmid(), 51, 0));
        assertEquals(1, session.unconfirmed());
        assertEquals(1, shownCount("mid 51"));
    }

    @Test
    void messagesAcknowledgedByAnotherSessionAreNotAwaited() {
        loggedIn(5);
        receive(push(6, "six"));
        receive(new SyncDone(6, false));
        session.flushAck();
        assertEquals(List.of(new RecvAck(6L)), sent.stream().filter(m -> m instanceof RecvAck).toList());
        assertFalse(sent.stream().anyMatch(m -> m instanceof Sync));
    }

    @Test
    void aRefusedChatIsForgottenWithItsErrorShown() {
        loggedIn(0);
        session.execute(Command.parse("chat:99:hello?"));
        receive(ErrorReply.forRequest(muchat.protocol.MsgType.ONE_CHAT, Errno.NO_SUCH_TARGET, "no such user", "t-1"));
        assertEquals(0, session.unconfirmed());
        assertEquals(1, shownCount("error 15: no such user"));
    }

    @Test
    void anInvalidChatIsRefusedLocallyAndNotKept() {
        loggedIn(0);
        session.execute(new Command.Chat(2, "x".repeat(4001)));
        assertEquals(0, session.unconfirmed());
        assertFalse(sent.stream().anyMatch(m -> m instanceof OneChat));
        assertEquals(1, shownCount("msg must be"));
    }

    @Test
    void afterAKickItDoesNotLogInAgainByItself() {
        loggedIn(0);
        receive(new Kicked("logged in elsewhere"));
        assertFalse(session.hasUser());
        session.disconnected();
        sent.clear();
        session.connected();
        assertEquals(List.of(), sent);
    }

    @Test
    void aFailedLoginIsShownAndCompletesTheReply() {
        CompletableFuture<LoginAck> reply = session.login(new Login(ME, null, "wrong1"));
        receive(LoginAck.error(Errno.WRONG_CREDENTIALS, "wrong id or password"));
        assertEquals(1, reply.join().errno());
        assertFalse(session.hasUser());
        assertEquals(1, shownCount("error 1: wrong id or password"));
    }

    @Test
    void aLoginWithoutAConnectionFailsAtOnce() {
        connected = false;
        assertEquals(Errno.UNAVAILABLE.code(), session.login(new Login(ME, null, "secret")).join().errno());
    }

    @Test
    void quittingWaitsForTheRepliesOfTheLastRequests() throws Exception {
        loggedIn(0);
        session.execute(Command.parse("addfriend:99"));
        assertFalse(session.awaitAnswers(1));
        receive(muchat.protocol.AddFriendAck.error(Errno.NO_SUCH_TARGET, "no such user"));
        assertTrue(session.awaitAnswers(1));
        assertEquals(1, shownCount("error 15: no such user"));
    }

    @Test
    void privateGroupCommandsSendTheirRequestsAndShowEachReplyOnOneLineOrAList() {
        loggedIn(0);
        session.execute(Command.parse("createprivate:club:ours"));
        session.execute(Command.parse("addgroup:7"));
        session.execute(Command.parse("requests:7"));
        session.execute(Command.parse("approve:7:5"));
        assertEquals(List.of(new CreateGroup("club", "ours", false), new AddGroup(7L), new GroupRequests(7L),
                new GroupDecide(7L, 5L, true)), sent.subList(sent.size() - 4, sent.size()));

        int before = shown.size();
        receive(AddGroupAck.pendingApproval());
        assertEquals(List.of("asked to join: the group is private, its creator decides"),
                shown.subList(before, shown.size()));
        receive(GroupRequestsAck.ok(List.of(new GroupRequestsAck.Requester(5, "bob\u001b[2J"))));
        assertEquals(List.of("join requests:", "  5  bob\\u001b[2J"), shown.subList(before + 1, shown.size()),
                "a name's control characters are escaped");
        receive(GroupDecideAck.error(Errno.FORBIDDEN, "only the creator of group 7 decides who joins it"));
        assertEquals("error 16: only the creator of group 7 decides who joins it", shown.get(shown.size() - 1));
    }

    @Test
    void loginoutForgetsTheUser() {
        loggedIn(0);
        session.execute(new Command.LoginOut());
        assertFalse(session.hasUser());
        assertTrue(sent.contains(new muchat.protocol.LoginOut()));
    }
}
