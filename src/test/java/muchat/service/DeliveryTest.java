package muchat.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import muchat.protocol.ChatMessage;
import muchat.protocol.FriendReplyNotice;
import muchat.protocol.FriendRequestNotice;
import muchat.protocol.InboxPush;
import muchat.protocol.Json;
import muchat.protocol.Presence;
import muchat.protocol.PresenceNotice;
import muchat.protocol.ReadReceipt;
import muchat.protocol.RecallEvent;
import muchat.store.FriendStore;
import muchat.store.HistoryEntry;
import muchat.store.InboxEntry;
import muchat.store.InboxEntry.Kind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a recipient held by another instance is pushed, and how an inbox entry is shown.
 * No user is logged in here, so every push goes to the other instances; routing and
 * signals never read the database, so there is none (a null message store).
 */
class DeliveryTest {
    private static final long TS = 1_700_000_000_000L;
    private static final long ALICE = 1;
    private static final long BOB = 2;
    private static final long GROUP = 30;

    private final Strands strands = new Strands(2);
    private final RecordingInstances cluster = new RecordingInstances();
    private final Delivery delivery = new Delivery(null, new SessionRegistry(cluster, strands, 4), cluster, strands);

    @AfterEach
    void stop() throws InterruptedException {
        delivery.close();
        strands.shutdown(5, TimeUnit.SECONDS);
    }

    private static InboxPush read(OtherInstances.Push push) throws Exception {
        return InboxPush.read(push.json());
    }

    // ---- routing to the other instances ----------------------------------------------------

    @Test
    void aMessageToAUserHeldElsewhereGoesToTheClusterNumberedInThatUsersInbox() throws Exception {
        ChatMessage hi = ChatMessage.toUser(ALICE, "alice", BOB, "hi", TS, 500);
        delivery.route(hi, Map.of(BOB, 17L));
        OtherInstances.Push push = cluster.next();
        assertEquals(BOB, push.uid());
        assertEquals(17, push.seq());
        assertEquals(hi.withSeq(17L), read(push));
    }

    @Test
    void eachMemberOfAGroupGetsTheMessageWithItsOwnSeq() throws Exception {
        ChatMessage hi = ChatMessage.toGroup(ALICE, "alice", GROUP, "hi all", TS, 500);
        Map<Long, Long> deliveries = Map.of(10L, 5L, 11L, 9L, 12L, 1L);
        delivery.route(hi, deliveries);
        Map<Long, InboxPush> received = new HashMap<>();
        for (OtherInstances.Push push : cluster.next(deliveries.size())) {
            received.put(push.uid(), read(push));
        }
        deliveries.forEach((uid, seq) -> assertEquals(hi.withSeq(seq), received.get(uid), "member " + uid));
    }

    @Test
    void aLargeGroupsMessagesReachEveryMemberOnceAndInTheOrderTheyWereRouted() throws Exception {
        // More members than one task hands a message to: the fan-out goes through the strands in slices.
        int members = 5 * Delivery.SLICE;
        Map<Long, Long> first = new LinkedHashMap<>();
        Map<Long, Long> second = new LinkedHashMap<>();
        for (long uid = 1000; uid < 1000 + members; uid++) {
            first.put(uid, 2 * uid);
            second.put(uid, 2 * uid + 1);
        }
        ChatMessage one = ChatMessage.toGroup(ALICE, "alice", GROUP, "one", TS, 501);
        ChatMessage two = ChatMessage.toGroup(ALICE, "alice", GROUP, "two", TS, 502);
        delivery.route(one, first);
        delivery.route(two, second);

        Map<Long, List<InboxPush>> received = new HashMap<>();
        for (OtherInstances.Push push : cluster.next(2 * members)) {
            received.computeIfAbsent(push.uid(), uid -> new ArrayList<>()).add(read(push));
        }
        assertEquals(members, received.size(), "every member got it");
        for (long uid = 1000; uid < 1000 + members; uid++) {
            assertEquals(List.of(one.withSeq(2 * uid), two.withSeq(2 * uid + 1)), received.get(uid), "member " + uid);
        }
    }

    @Test
    void aSignalGoesToTheClusterUnnumbered() throws Exception {
        PresenceNotice online = new PresenceNotice(ALICE, Presence.ONLINE);
        delivery.signal(BOB, online);
        OtherInstances.Push push = cluster.next();
        assertEquals(BOB, push.uid());
        assertTrue(push.isSignal(), "a signal takes no place in the inbox");
        assertArrayEquals(Json.bytes(online), push.json());
    }

    // ---- how inbox entries are shown -------------------------------------------------------

    private static InboxEntry entry(long uid, Kind kind, long sender, Long toUser, Long toGroup, String text,
                                    boolean recalled) {
        return new InboxEntry(uid, 7, kind, 500, sender, "name of " + sender, toUser, toGroup, text, TS, recalled);
    }

    @Test
    void aChatEntryIsPushedAsItsMessageNumberedInTheInbox() {
        assertEquals(ChatMessage.toUser(ALICE, "name of 1", BOB, "hi", TS, 500).withSeq(7L),
                Delivery.toPush(entry(BOB, Kind.CHAT, ALICE, BOB, null, "hi", false)));
        assertEquals(ChatMessage.toGroup(ALICE, "name of 1", GROUP, "hi all", TS, 500).withSeq(7L),
                Delivery.toPush(entry(BOB, Kind.CHAT, ALICE, null, GROUP, "hi all", false)));
    }

    @Test
    void aRecalledMessageIsShownWithoutItsText() {
        ChatMessage shown = (ChatMessage) Delivery.toPush(entry(BOB, Kind.CHAT, ALICE, BOB, null, "", true));
        assertEquals("", shown.msg());
        assertEquals(Boolean.TRUE, shown.recalled());
        assertEquals(500, shown.mid(), "it keeps its place");

        ChatMessage inHistory = Delivery.shown(new HistoryEntry(500, ALICE, "alice", BOB, null, "", TS, true));
        assertEquals(Boolean.TRUE, inHistory.recalled());
        assertNull(Delivery.shown(new HistoryEntry(500, ALICE, "alice", BOB, null, "hi", TS)).recalled(),
                "a message not recalled says nothing about recalling");
    }

    @Test
    void aReadReceiptNamesTheOtherUserOfTheConversationAsTheReader() {
        // Bob read up to Alice's message: the receipt is in Alice's inbox.
        assertEquals(new ReadReceipt(BOB, BOB, null, 500, 7L),
                Delivery.toPush(entry(ALICE, Kind.RECEIPT, ALICE, BOB, null, "hi", false)));
        // Bob read up to his own message to Alice: the receipt is in Alice's inbox too.
        assertEquals(new ReadReceipt(BOB, BOB, null, 500, 7L),
                Delivery.toPush(entry(ALICE, Kind.RECEIPT, BOB, ALICE, null, "hi", false)));
    }

    @Test
    void aRecallEntryNamesTheMessageAndItsConversation() {
        assertEquals(new RecallEvent(500, ALICE, BOB, null, 7L),
                Delivery.toPush(entry(BOB, Kind.RECALL, ALICE, BOB, null, "", true)));
        assertEquals(new RecallEvent(500, ALICE, null, GROUP, 7L),
                Delivery.toPush(entry(BOB, Kind.RECALL, ALICE, null, GROUP, "", true)));
    }

    @Test
    void friendRequestsAndTheirAnswersArePushedFromTheirSender() {
        assertEquals(FriendRequestNotice.of(ALICE, "name of 1", TS).withSeq(7L),
                Delivery.toPush(entry(BOB, Kind.FRIEND_REQUEST, ALICE, BOB, null, "", false)));
        assertEquals(FriendReplyNotice.of(BOB, "name of 2", true, TS).withSeq(7L),
                Delivery.toPush(entry(ALICE, Kind.FRIEND_REPLY, BOB, ALICE, null, FriendStore.ACCEPT, false)));
        assertEquals(FriendReplyNotice.of(BOB, "name of 2", false, TS).withSeq(7L),
                Delivery.toPush(entry(ALICE, Kind.FRIEND_REPLY, BOB, ALICE, null, FriendStore.REJECT, false)));
    }
}
