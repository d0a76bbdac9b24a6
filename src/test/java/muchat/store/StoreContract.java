package muchat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import muchat.store.GroupStore.Decision;
import muchat.store.GroupStore.Joining;
import muchat.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The behaviour every database behind the stores must show; run once per database by
 * its subclasses. All tests of a class share one database, so each makes its own users.
 */
abstract class StoreContract {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final String PASSWORD = "secret-1";
    /** Starts a text that no database stores: longer than messages.body in any database's units. */
    static final String REFUSED_MARK = "REFUSED-TEXT-";
    static final String REFUSED_TEXT = REFUSED_MARK + "x".repeat(8000);
    private static final int MAX_MEMBERS = 2000;

    Database db;

    /** Opens the database of this test class; every call sees the same data. */
    abstract Database open();

    @BeforeEach
    void openDatabase() {
        db = open();
    }

    @AfterEach
    void closeDatabase() {
        db.close();
    }

    // ---- users

    @Test
    void registrationHandsOutNewIdsAndRefusesATakenName() {
        String name = uniqueName();
        long first = db.users().register(name, PASSWORD).orElseThrow();
        long second = db.users().register(uniqueName(), PASSWORD).orElseThrow();

        assertTrue(first >= 1);
        assertTrue(second > first);
        assertTrue(db.users().register(name, "other-password").isEmpty());
        assertEquals(Set.of(name), Set.of(db.users().find(first).orElseThrow().name()));
    }

    @Test
    void namesDifferingOnlyInCaseAreDifferentUsers() {
        String name = uniqueName();
        assertTrue(db.users().register(name.toUpperCase(), PASSWORD).isPresent());
        assertTrue(db.users().register(name.toLowerCase(), PASSWORD).isPresent());
    }

    @Test
    void loginWorksByIdOrNameOnlyWithTheRightPassword() {
        String name = uniqueName();
        long id = db.users().register(name, PASSWORD).orElseThrow();
        User user = new User(id, name);

        assertEquals(user, db.users().authenticate(id, PASSWORD).orElseThrow());
        assertEquals(user, db.users().authenticateByName(name, PASSWORD).orElseThrow());
        assertTrue(db.users().authenticate(id, PASSWORD + "x").isEmpty());
        assertTrue(db.users().authenticateByName(name, "").isEmpty());
        assertTrue(db.users().authenticate(id + 1_000_000, PASSWORD).isEmpty());
        assertTrue(db.users().authenticateByName(uniqueName(), PASSWORD).isEmpty());
    }

    @Test
    void passwordsAreStoredAsSaltedHashes() throws SQLException {
        long a = newUser();
        long b = newUser();
        String hashA = storedPassword(a);
        String hashB = storedPassword(b);

        assertFalse(hashA.contains(PASSWORD));
        assertTrue(hashA.startsWith("$argon2id$v=19$m=" + Passwords.DEFAULT_MEMORY_KIB + ",t=2,p=1$"), hashA);
        assertNotEquals(hashA, hashB, "the same password must hash differently for each user");
    }

    @Test
    void findReturnsTheUserOrNothing() {
        String name = uniqueName();
        long id = db.users().register(name, PASSWORD).orElseThrow();
        assertEquals(new User(id, name), db.users().find(id).orElseThrow());
        assertTrue(db.users().find(id + 1_000_000).isEmpty());
    }

    // ---- friends and groups

    @Test
    void friendshipIsMutualAndAddingItTwiceChangesNothing() {
        long a = newUser();
        long b = newUser();
        long c = newUser();
        db.friends().add(a, b);
        db.friends().add(b, a);
        db.friends().add(a, c);

        assertEquals(List.of(b, c), ids(db.friends().friendsOf(a)));
        assertEquals(List.of(a), ids(db.friends().friendsOf(b)));
        assertEquals(List.of(a), ids(db.friends().friendsOf(c)));
        assertEquals(db.users().find(b).orElseThrow(), db.friends().friendsOf(a).get(0));
    }

    @Test
    void aFriendRequestWaitsUntilItsAnswerAndIsAnInboxEntryButNoHistory() throws Exception {
        long a = newUser();
        long b = newUser();
        assertTrue(db.friends().waitingRequester(a, b).isEmpty());
        Stored chat = db.messages().submit(NewMessage.direct(a, b, "hi", 1, null)).get(10, TimeUnit.SECONDS);
        Stored asked = db.messages().submit(NewMessage.event(FriendStore.REQUEST, a, b, "", 2))
                .get(10, TimeUnit.SECONDS);
        assertEquals(a, db.friends().waitingRequester(b, a).orElseThrow(), "either way round");
        assertEquals(a, db.friends().waitingRequester(a, b).orElseThrow());
        assertEquals(new InboxEntry(b, 2, asked.mid(), a, name(a), b, null, "", 2, FriendStore.REQUEST),
                db.messages().inboxAfter(b, 1, 10).get(0));
        assertEquals(List.of(chat.mid()), db.messages().history(b, a, null, 10).stream().map(HistoryEntry::mid).toList(),
                "the request is not part of their chat");

        db.messages().submit(NewMessage.event(FriendStore.REPLY, b, a, FriendStore.REJECT, 3)).get(10, TimeUnit.SECONDS);
        assertTrue(db.friends().waitingRequester(a, b).isEmpty(), "answered");
        assertFalse(db.friends().areFriends(a, b));
        db.messages().submit(NewMessage.event(FriendStore.REQUEST, b, a, "", 4)).get(10, TimeUnit.SECONDS);
        assertEquals(b, db.friends().waitingRequester(a, b).orElseThrow(), "a new request, the other way");
        db.friends().add(a, b);
        assertTrue(db.friends().areFriends(b, a));
    }

    @Test
    void theCreatorIsTheFirstMemberAndJoinersAreNormal() {
        long creator = newUser();
        long joiner = newUser();
        long outsider = newUser();
        long group = db.groups().create(creator, "team", "the team", true);

        assertTrue(db.groups().exists(group));
        assertEquals(Joining.MEMBER, join(group, joiner));
        assertEquals(Joining.MEMBER, join(group, joiner), "joining again is fine");
        assertTrue(db.groups().isMember(group, creator));
        assertTrue(db.groups().isMember(group, joiner));
        assertFalse(db.groups().isMember(group, outsider));
        assertEquals(List.of(creator, joiner), db.groups().memberIds(group));

        GroupRecord expected = new GroupRecord(group, "team", "the team", List.of(
                new Member(creator, name(creator), MemberRole.CREATOR),
                new Member(joiner, name(joiner), MemberRole.NORMAL)));
        assertEquals(List.of(expected), db.groups().groupsOf(joiner));
        assertEquals(List.of(expected), db.groups().groupsOf(creator));
        assertEquals(List.of(), db.groups().groupsOf(outsider));
    }

    @Test
    void joiningAGroupThatDoesNotExistFails() {
        long user = newUser();
        assertFalse(db.groups().exists(999_999_999L));
        assertEquals(Joining.NO_SUCH_GROUP, join(999_999_999L, user));
        assertEquals(List.of(), db.groups().groupsOf(user));
    }

    @Test
    void aUserSeesAllTheirGroupsInOrder() {
        long a = newUser();
        long b = newUser();
        long first = db.groups().create(a, "one", "", true);
        long second = db.groups().create(b, "two", "second", true);
        join(second, a);

        List<GroupRecord> groups = db.groups().groupsOf(a);
        assertEquals(List.of(first, second), groups.stream().map(GroupRecord::id).toList());
        assertEquals(MemberRole.NORMAL, groups.get(1).members().stream()
                .filter(m -> m.id() == a).findFirst().orElseThrow().role());
    }

    @Test
    void aClosedGroupTakesRequestsThatOnlyItsCreatorsDecisionSettles() {
        long creator = newUser();
        long asker = newUser();
        long other = newUser();
        long group = db.groups().create(creator, "private", "", false);

        assertEquals(new GroupStore.Settings(creator, false), db.groups().settings(group).orElseThrow());
        assertEquals(Joining.ASKED, join(group, asker));
        assertEquals(Joining.ASKED, join(group, asker), "asking again is fine");
        assertFalse(db.groups().isMember(group, asker));
        assertEquals(Joining.CLOSED, db.groups().join(group, other, MAX_MEMBERS, false), "a classic client");
        assertEquals(List.of(new User(asker, name(asker))), db.groups().requests(group));
        assertEquals(Decision.NO_SUCH_REQUEST, db.groups().decide(group, other, true, MAX_MEMBERS));

        assertEquals(Decision.DONE, db.groups().decide(group, asker, true, MAX_MEMBERS));
        assertTrue(db.groups().isMember(group, asker));
        assertEquals(Joining.MEMBER, join(group, asker));
        assertEquals(Decision.NO_SUCH_REQUEST, db.groups().decide(group, asker, true, MAX_MEMBERS));

        assertEquals(Joining.ASKED, join(group, other));
        assertEquals(Decision.DONE, db.groups().decide(group, other, false, MAX_MEMBERS));
        assertFalse(db.groups().isMember(group, other));
        assertEquals(List.of(), db.groups().requests(group));
        assertEquals(Decision.NO_SUCH_REQUEST, db.groups().decide(999_999_999L, other, true, MAX_MEMBERS));
    }

    @Test
    void aMemberOfAClosedGroupReadsItsHistoryFromJoiningOnAndOfAnOpenOneAll() throws Exception {
        long a = newUser();
        long b = newUser();
        long open = db.groups().create(a, "open", "", true);
        long closed = db.groups().create(a, "closed", "", false);
        long openMid = await(db.messages().submit(NewMessage.group(a, open, "before", 1, null, List.of()))).mid();
        await(db.messages().submit(NewMessage.group(a, closed, "before", 2, null, List.of())));
        long lastBefore = await(db.messages().submit(NewMessage.group(a, closed, "just before", 3, null,
                List.of()))).mid();
        join(open, b);
        join(closed, b);
        db.groups().decide(closed, b, true, MAX_MEMBERS);
        long after = await(db.messages().submit(NewMessage.group(a, closed, "after", 4, null, List.of(b)))).mid();

        assertEquals(0, db.groups().historyAfter(open, b).orElseThrow());
        assertEquals(List.of(openMid), historyMids(db.messages().groupHistory(open, 0, null, 10)));
        assertEquals(0, db.groups().historyAfter(closed, a).orElseThrow(), "the creator sees everything");
        assertEquals(lastBefore, db.groups().historyAfter(closed, b).orElseThrow());
        assertEquals(List.of(after), historyMids(db.messages().groupHistory(closed, lastBefore, null, 10)));
        assertTrue(db.groups().historyAfter(closed, newUser()).isEmpty(), "not a member");
    }

    @Test
    void aGroupTakesNoMoreMembersNorRequestsThanItsLimit() {
        long creator = newUser();
        long open = db.groups().create(creator, "small", "", true);
        long closed = db.groups().create(creator, "small and closed", "", false);
        long first = newUser();
        long second = newUser();
        long third = newUser();

        assertEquals(Joining.MEMBER, db.groups().join(open, first, 2, true));
        assertEquals(Joining.FULL, db.groups().join(open, second, 2, true));
        assertEquals(Joining.MEMBER, db.groups().join(open, first, 2, true), "a member stays one");

        assertEquals(Joining.ASKED, db.groups().join(closed, first, 2, true));
        assertEquals(Joining.ASKED, db.groups().join(closed, second, 2, true));
        assertEquals(Joining.TOO_MANY_REQUESTS, db.groups().join(closed, third, 2, true));
        assertEquals(Decision.DONE, db.groups().decide(closed, first, true, 2));
        assertEquals(Decision.FULL, db.groups().decide(closed, second, true, 2));
        assertEquals(List.of(new User(second, name(second))), db.groups().requests(closed), "kept");
        assertEquals(Joining.FULL, db.groups().join(closed, third, 2, true));
    }

    @Test
    void concurrentJoinsStopExactlyAtTheLimit() throws Exception {
        int limit = 10;
        long group = db.groups().create(newUser(), "popular", "", true);
        List<Long> joiners = LongStream.range(0, 40).mapToObj(i -> newUser()).toList();

        List<CompletableFuture<Joining>> joins = new ArrayList<>();
        for (long uid : joiners) {
            joins.add(CompletableFuture.supplyAsync(() -> db.groups().join(group, uid, limit, true)));
        }
        List<Joining> outcomes = new ArrayList<>();
        for (CompletableFuture<Joining> join : joins) {
            outcomes.add(await(join));
        }

        assertEquals(limit - 1, Collections.frequency(outcomes, Joining.MEMBER), outcomes.toString());
        assertEquals(joiners.size() - (limit - 1), Collections.frequency(outcomes, Joining.FULL));
        assertEquals(limit, db.groups().memberIds(group).size());
    }

    @Test
    void anOlderDatabaseGetsTheGroupColumnsAndTablesItLacksAtStart() throws Exception {
        long creator = newUser();
        long member = newUser();
        long group = db.groups().create(creator, "old", "", true);
        join(group, member);
        execute("ALTER TABLE chat_groups DROP COLUMN is_open");
        execute("ALTER TABLE group_members DROP COLUMN history_after");
        execute("DROP TABLE group_requests");
        execute("ALTER TABLE messages DROP COLUMN kind");
        db.close();

        List<String> lines = reopenLoggingLines();
        assertTrue(lines.contains("adding column chat_groups.is_open"), lines.toString());
        assertTrue(lines.contains("adding column group_members.history_after"), lines.toString());
        assertTrue(lines.contains("adding table group_requests"), lines.toString());
        assertTrue(lines.contains("adding column messages.kind"), lines.toString());
        assertEquals(new GroupStore.Settings(creator, true), db.groups().settings(group).orElseThrow());
        assertEquals(0, db.groups().historyAfter(group, member).orElseThrow());
        long closed = db.groups().create(creator, "new", "", false);
        assertEquals(Joining.ASKED, join(closed, member));
    }

    // ---- messages

    @Test
    void oneToOneMessagesGetTheReceiversNextSeqsInSubmissionOrder() throws Exception {
        long a = newUser();
        long b = newUser();
        List<CompletableFuture<Stored>> futures = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            futures.add(db.messages().submit(NewMessage.direct(a, b, "hello " + i, 1000 + i, "c" + i)));
        }
        List<Stored> stored = await(futures);

        for (int i = 0; i < 5; i++) {
            assertFalse(stored.get(i).duplicate());
            assertEquals(Map.of(b, (long) i + 1), stored.get(i).deliveries());
            assertEquals(1001 + i, stored.get(i).ts());
        }
        List<InboxEntry> inbox = db.messages().inboxAfter(b, 0, 100);
        assertEquals(5, inbox.size());
        InboxEntry third = inbox.get(2);
        assertEquals(new InboxEntry(b, 3, stored.get(2).mid(), a, name(a), b, null, "hello 3", 1003), third);
        assertEquals(stored.stream().map(Stored::mid).toList(), inbox.stream().map(InboxEntry::mid).toList(),
                "each SEND_ACK's mid is the stored message's");
        assertEquals(5, db.messages().lastSeq(b));
        assertEquals(0, db.messages().lastSeq(a));
    }

    @Test
    void theBacklogListenerHearsMessagesPileUpAndThenDrain() throws Exception {
        long a = db.users().register(uniqueName(), PASSWORD).orElseThrow();
        long b = db.users().register(uniqueName(), PASSWORD).orElseThrow();
        List<Boolean> heard = Collections.synchronizedList(new ArrayList<>());
        db.messages().setBacklogListener(4, heard::add);
        List<CompletableFuture<Stored>> futures = new ArrayList<>();
        // The lane waits a moment for more when few are queued: these pile up meanwhile.
        for (int i = 0; i < 200; i++) {
            futures.add(db.messages().submit(NewMessage.direct(a, b, "pile " + i, 1000 + i, null)));
        }
        for (CompletableFuture<Stored> f : futures) {
            await(f);
        }
        assertEquals(0, db.messages().backlog(), "every message written");
        List<Boolean> signals = List.copyOf(heard);
        assertTrue(!signals.isEmpty() && signals.get(0), "the high mark was signalled: " + signals);
        assertEquals(false, signals.get(signals.size() - 1), "and cleared once drained: " + signals);
        for (int i = 1; i < signals.size(); i++) {
            assertTrue(signals.get(i) != signals.get(i - 1), "on and off alternate: " + signals);
        }
    }

    @Test
    void aGroupMessageGetsEachRecipientsOwnNextSeq() throws Exception {
        long a = newUser();
        long b = newUser();
        long c = newUser();
        long group = db.groups().create(a, "g", "", true);
        join(group, b);
        join(group, c);
        await(db.messages().submit(NewMessage.direct(a, c, "before", 1, null)));

        Stored stored = await(db.messages().submit(NewMessage.group(a, group, "to all", 2, "g1", List.of(b, c))));

        assertEquals(Map.of(b, 1L, c, 2L), stored.deliveries());
        InboxEntry atC = db.messages().inboxAfter(c, 1, 10).get(0);
        assertEquals(new InboxEntry(c, 2, stored.mid(), a, name(a), null, group, "to all", 2), atC);
        assertEquals(List.of(), db.messages().inboxAfter(a, 0, 10), "never back to the sender");
    }

    @Test
    void aGroupMessageForMoreRecipientsThanOneStatementTakesNumbersEachOfThemOnce() throws Exception {
        long a = newUser();
        // Ids no user has, so none has a cursor row yet either: more than one IN list and
        // more than one multi-row INSERT's worth.
        long base = 1_000_000_000L + 10_000 * a;
        List<Long> members = LongStream.range(base, base + 1500).boxed().toList();

        Stored first = await(db.messages().submit(NewMessage.group(a, 9, "hello all", 1, null, members)));
        Stored second = await(db.messages().submit(NewMessage.group(a, 9, "again", 2, null, members)));

        assertEquals(Set.of(1L), Set.copyOf(first.deliveries().values()));
        assertEquals(Set.of(2L), Set.copyOf(second.deliveries().values()));
        assertEquals(Set.copyOf(members), second.deliveries().keySet());
        for (long uid : List.of(base, base + 1023, base + 1024, base + 1499)) {
            assertEquals(List.of("hello all", "again"),
                    db.messages().inboxAfter(uid, 0, 10).stream().map(InboxEntry::text).toList());
        }
    }

    @Test
    void aRepeatedCmidReturnsTheFirstMessageAndDeliversNothing() throws Exception {
        long a = newUser();
        long b = newUser();
        Stored first = await(db.messages().submit(NewMessage.direct(a, b, "once", 10, "same")));
        Stored again = await(db.messages().submit(NewMessage.direct(a, b, "once", 20, "same")));

        assertTrue(again.duplicate());
        assertEquals(first.mid(), again.mid());
        assertEquals(10, again.ts());
        assertEquals(Map.of(), again.deliveries());
        assertEquals(1, db.messages().lastSeq(b));
    }

    @Test
    void aCmidRepeatedWithinOneBatchIsStoredOnce() throws Exception {
        long a = newUser();
        long b = newUser();
        NewMessage message = NewMessage.direct(a, b, "twice", 10, "dup");
        NewMessage other = NewMessage.direct(a, b, "other", 11, null);

        List<Stored> stored = writeOneBatch(message, other, message);

        assertFalse(stored.get(0).duplicate());
        assertEquals(Map.of(b, 1L), stored.get(0).deliveries());
        assertEquals(Map.of(b, 2L), stored.get(1).deliveries());
        assertEquals(new Stored(stored.get(0).mid(), 10, true, Map.of()), stored.get(2));
        assertEquals(2, db.messages().lastSeq(b));
    }

    @Test
    void aBatchWithOneStoredCmidStoresTheOthersAndNumbersThemWithoutGaps() throws Exception {
        long a = newUser();
        long b = newUser();
        Stored first = await(db.messages().submit(NewMessage.direct(a, b, "first", 10, "old")));
        List<Stored> stored = writeOneBatch(
                NewMessage.direct(a, b, "new 1", 11, "n1"),
                NewMessage.direct(a, b, "first", 12, "old"),
                NewMessage.direct(a, b, "new 2", 13, "n2"));

        assertEquals(Map.of(b, 2L), stored.get(0).deliveries());
        assertEquals(new Stored(first.mid(), 10, true, Map.of()), stored.get(1));
        assertEquals(Map.of(b, 3L), stored.get(2).deliveries());
        assertEquals(List.of("first", "new 1", "new 2"),
                db.messages().inboxAfter(b, 0, 10).stream().map(InboxEntry::text).toList());
    }

    @Test
    void aMessageOf4000CharactersOutsideTheBmpIsStoredIntact() throws Exception {
        long a = newUser();
        long b = newUser();
        // docs/protocol.md counts characters: 4000 of them, 8000 UTF-16 units.
        String emoji = "\uD83D\uDE00".repeat(4000);

        Stored stored = await(db.messages().submit(NewMessage.direct(a, b, emoji, 1, "emoji")));

        assertEquals(Map.of(b, 1L), stored.deliveries());
        assertEquals(emoji, db.messages().inboxAfter(b, 0, 1).get(0).text());
        assertEquals(emoji, db.messages().history(b, a, null, 1).get(0).text());
    }

    @Test
    void aMessageTheDatabaseRefusesFailsAloneAndTheRestOfItsGroupCommitIsStored() throws Exception {
        long a = newUser();
        long b = newUser();
        long blocker = newUser();
        ListAppender<ILoggingEvent> logs = captureLogs();
        try {
            CompletableFuture<Stored> first;
            CompletableFuture<Stored> good1;
            CompletableFuture<Stored> bad;
            CompletableFuture<Stored> good2;
            try (Connection lock = db.dataSource().getConnection()) {
                lock.setAutoCommit(false);
                lockInboxCursor(lock, blocker);
                // The sender's lane waits for that lock while storing "first", so the next
                // three queue up behind it and are written together: one group commit.
                first = db.messages().submit(NewMessage.direct(a, blocker, "first", 1, null));
                good1 = db.messages().submit(NewMessage.direct(a, b, "good 1", 2, "g1"));
                bad = db.messages().submit(NewMessage.direct(a, b, REFUSED_TEXT, 3, "bad"));
                good2 = db.messages().submit(NewMessage.direct(a, b, "good 2", 4, "g2"));
                lock.commit();
            }

            assertEquals(Map.of(blocker, 1L), await(first).deliveries());
            assertEquals(Map.of(b, 1L), await(good1).deliveries());
            assertEquals(Map.of(b, 2L), await(good2).deliveries(), "the refused message used no seq");
            ExecutionException failure = assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
            assertInstanceOf(StoreException.class, failure.getCause());
            assertFalse(mentionsRefusedText(failure.getCause()), "the error quotes the text: " + failure.getCause());
            assertEquals(List.of("good 1", "good 2"),
                    db.messages().inboxAfter(b, 0, 10).stream().map(InboxEntry::text).toList());
        } finally {
            releaseLogs(logs);
        }
        for (ILoggingEvent event : logs.list) {
            assertFalse(event.getFormattedMessage().contains(REFUSED_MARK), "logged: " + event.getFormattedMessage());
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                assertFalse(String.valueOf(t.getMessage()).contains(REFUSED_MARK), "logged: " + t.getMessage());
            }
        }
    }

    /**
     * Takes the lock a group commit needs to hand out {@code uid}'s next seq: the row's on
     * MariaDB and H2, the database's one write lock on SQLite (which has no FOR UPDATE).
     */
    private static void lockInboxCursor(Connection c, long uid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE inbox_cursor SET last_seq = last_seq WHERE uid = ?")) {
            ps.setLong(1, uid);
            assertEquals(1, ps.executeUpdate());
        }
    }

    /** Whether the exception or one of its causes quotes {@link #REFUSED_TEXT}. */
    static boolean mentionsRefusedText(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains(REFUSED_MARK)) {
                return true;
            }
        }
        return false;
    }

    /** Every log event of the server from now on, until {@link #releaseLogs}. */
    /** Opens the database again and returns the lines it logged meanwhile. */
    private List<String> reopenLoggingLines() throws Exception {
        ListAppender<ILoggingEvent> logs = captureLogs();
        try {
            db = open();
        } finally {
            releaseLogs(logs);
        }
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static ListAppender<ILoggingEvent> captureLogs() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        rootLogger().addAppender(logs);
        return logs;
    }

    private static void releaseLogs(ListAppender<ILoggingEvent> logs) {
        rootLogger().detachAppender(logs);
    }

    private static Logger rootLogger() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    /** Stores {@code messages} as one group-commit batch, in one transaction, as a lane would. */
    private List<Stored> writeOneBatch(NewMessage... messages) throws SQLException {
        try (BatchWriter writer = new BatchWriter(db.jdbc())) {
            return writer.write(List.of(messages));
        }
    }

    @Test
    void cmidsAreScopedToTheirSender() throws Exception {
        long a = newUser();
        long b = newUser();
        Stored fromA = await(db.messages().submit(NewMessage.direct(a, b, "x", 1, "42")));
        Stored fromB = await(db.messages().submit(NewMessage.direct(b, a, "y", 2, "42")));
        assertFalse(fromB.duplicate());
        assertNotEquals(fromA.mid(), fromB.mid());
    }

    @Test
    void inboxAfterPagesBySeq() throws Exception {
        long a = newUser();
        long b = newUser();
        for (int i = 1; i <= 6; i++) {
            db.messages().submit(NewMessage.direct(a, b, "m" + i, i, null));
        }
        await(db.messages().submit(NewMessage.direct(a, b, "m7", 7, null)));

        assertEquals(List.of(3L, 4L), seqs(db.messages().inboxAfter(b, 2, 2)));
        assertEquals(List.of(6L, 7L), seqs(db.messages().inboxAfter(b, 5, 100)));
        assertEquals(List.of(), db.messages().inboxAfter(b, 7, 100));
    }

    @Test
    void ackedOnlyGrowsAndIsKeptAcrossARestart() {
        long b = newUser();
        assertEquals(0, db.messages().loginPosition(b, "default"));
        db.messages().ack(b, "default", 5);
        db.messages().ack(b, "default", 3);
        assertEquals(5, db.messages().loginPosition(b, "default"));

        db.close();
        db = open();
        assertEquals(5, db.messages().loginPosition(b, "default"));
        db.messages().ack(b, "default", 4);
        assertEquals(5, db.messages().loginPosition(b, "default"));
    }

    @Test
    void eachDeviceKeepsItsOwnAckAndANewDeviceStartsFromTheMostAdvanced() {
        long b = newUser();
        db.messages().ack(b, "phone", 9);
        db.messages().ack(b, "laptop", 4);
        assertEquals(9, db.messages().loginPosition(b, "phone"));
        assertEquals(4, db.messages().loginPosition(b, "laptop"));

        db.close();
        db = open();
        assertEquals(9, db.messages().loginPosition(b, "phone"));
        assertEquals(4, db.messages().loginPosition(b, "laptop"));
        assertEquals(9, db.messages().loginPosition(b, "tablet"), "a device new to the user starts where its most advanced one is");
    }

    @Test
    void aSendersCopyIsNumberedInTheSendersInboxAndANewDeviceIsOnRecordAtOnce() throws Exception {
        long a = newUser();
        long b = newUser();
        assertFalse(db.messages().usedOtherDevices(a));
        Stored plain = await(db.messages().submit(NewMessage.direct(a, b, "plain", 1, null)));
        assertEquals(List.of(b), List.copyOf(plain.deliveries().keySet()));
        Stored copied = await(db.messages().submit(NewMessage.direct(a, b, "copied", 2, null).withSenderCopy()));
        assertEquals(List.of(b, a), List.copyOf(copied.deliveries().keySet()));
        assertEquals(1L, copied.deliveries().get(a), "the first message in the sender's own inbox");

        db.messages().loginPosition(a, "default");
        assertFalse(db.messages().usedOtherDevices(a), "the default device is every user's");
        db.messages().loginPosition(a, "laptop");
        assertTrue(db.messages().usedOtherDevices(a), "recorded at its first login, before any ack");
    }

    @Test
    void acksReachTheTableWithinAFlushIntervalWithoutAClose() throws Exception {
        long b = newUser();
        db.messages().ack(b, "default", 7);

        // Polling the table: the flush has no event to wait on.
        Await.holdsWithin(Duration.ofMillis(5 * AckWriter.FLUSH_MS), () -> ackInTable(b) == 7);
        assertEquals(7, ackInTable(b));
    }

    /** The ack of {@code uid} as the inbox_ack table holds it; 0 if it has none. */
    private long ackInTable(long uid) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT acked FROM inbox_ack WHERE uid = ?")) {
            ps.setLong(1, uid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    @Test
    void lastSeqsReportsManyUsersAtOnce() throws Exception {
        long a = newUser();
        long b = newUser();
        long c = newUser();
        db.messages().submit(NewMessage.direct(a, b, "1", 1, null));
        await(db.messages().submit(NewMessage.direct(a, b, "2", 2, null)));

        assertEquals(Map.of(a, 0L, b, 2L, c, 0L), db.messages().lastSeqs(List.of(a, b, c)));
    }

    @Test
    void directHistoryHoldsBothDirectionsNewestFirstAndPagesByMid() throws Exception {
        long a = newUser();
        long b = newUser();
        long c = newUser();
        List<Long> mids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            mids.add(await(db.messages().submit(i % 2 == 0
                    ? NewMessage.direct(a, b, "ab" + i, i, null)
                    : NewMessage.direct(b, a, "ba" + i, i, null))).mid());
            await(db.messages().submit(NewMessage.direct(a, c, "noise", i, null)));
        }

        List<HistoryEntry> newest = db.messages().history(a, b, null, 4);
        assertEquals(List.of(mids.get(5), mids.get(4), mids.get(3), mids.get(2)), historyMids(newest));
        assertEquals(new HistoryEntry(mids.get(5), b, name(b), a, null, "ba5", 5), newest.get(0));
        assertEquals(List.of(mids.get(1), mids.get(0)),
                historyMids(db.messages().history(a, b, mids.get(2), 4)));
        assertEquals(historyMids(newest), historyMids(db.messages().history(b, a, null, 4)));
    }

    @Test
    void groupHistoryIsNewestFirstAndPagesByMid() throws Exception {
        long a = newUser();
        long b = newUser();
        long group = db.groups().create(a, "g", "", true);
        join(group, b);
        List<Long> mids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            mids.add(await(db.messages().submit(NewMessage.group(a, group, "g" + i, i, null, List.of(b)))).mid());
        }

        List<HistoryEntry> newest = db.messages().groupHistory(group, 0, null, 2);
        assertEquals(List.of(mids.get(4), mids.get(3)), historyMids(newest));
        assertEquals(new HistoryEntry(mids.get(4), a, name(a), null, group, "g4", 4), newest.get(0));
        assertEquals(List.of(mids.get(2), mids.get(1), mids.get(0)),
                historyMids(db.messages().groupHistory(group, 0, mids.get(3), 10)));
    }

    @Test
    void messagesAndSeqsSurviveARestart() throws Exception {
        long a = newUser();
        long b = newUser();
        for (int i = 0; i < 3; i++) {
            db.messages().submit(NewMessage.direct(a, b, "before restart " + i, i, null));
        }
        db.close(); // drains the queue
        db = open();

        assertEquals(List.of(1L, 2L, 3L), seqs(db.messages().inboxAfter(b, 0, 10)));
        Stored after = await(db.messages().submit(NewMessage.direct(a, b, "after", 9, null)));
        assertEquals(Map.of(b, 4L), after.deliveries());
    }

    @Test
    void twoWritersOnOneDatabaseHandOutEachSeqExactlyOnce() throws Exception {
        long receiver = newUser();
        int perWriter = 500;
        List<Long> seqs = new ArrayList<>();
        try (Database other = open()) {
            CompletableFuture<List<Stored>> first = sendMany(db, newUser(), receiver, perWriter);
            CompletableFuture<List<Stored>> second = sendMany(other, newUser(), receiver, perWriter);
            for (Stored stored : first.get(20, TimeUnit.SECONDS)) {
                seqs.add(stored.deliveries().get(receiver));
            }
            for (Stored stored : second.get(20, TimeUnit.SECONDS)) {
                seqs.add(stored.deliveries().get(receiver));
            }
        }
        seqs.sort(null);
        assertEquals(LongStream.rangeClosed(1, 2 * perWriter).boxed().toList(), seqs);
        List<InboxEntry> inbox = db.messages().inboxAfter(receiver, 0, 10 * perWriter);
        assertEquals(2 * perWriter, new HashSet<>(mids(inbox)).size(), "each seq has its own message");
    }

    /**
     * Sends {@code count} messages through {@code database} from another thread, a few at
     * a time, so that its writer commits many small batches while the other one does.
     */
    private static CompletableFuture<List<Stored>> sendMany(Database database, long sender, long receiver,
                                                            int count) {
        return CompletableFuture.supplyAsync(() -> {
            List<Stored> out = new ArrayList<>();
            for (int i = 0; i < count; i += 5) {
                List<CompletableFuture<Stored>> wave = new ArrayList<>();
                for (int j = i; j < i + 5; j++) {
                    wave.add(database.messages().submit(NewMessage.direct(sender, receiver, "m" + j, j, null)));
                }
                wave.forEach(f -> out.add(f.join()));
            }
            return out;
        });
    }

    @Test
    void aDatabaseFailureFailsTheMessageAndTheStoreRecovers() throws Exception {
        long a = newUser();
        long b = newUser();
        await(db.messages().submit(NewMessage.direct(a, b, "ok", 1, null)));
        execute("ALTER TABLE messages RENAME TO messages_away");
        try {
            ExecutionException failure = assertThrows(ExecutionException.class, () ->
                    db.messages().submit(NewMessage.direct(a, b, "lost", 2, "c2")).get(10, TimeUnit.SECONDS));
            assertInstanceOf(StoreException.class, failure.getCause());
        } finally {
            execute("ALTER TABLE messages_away RENAME TO messages");
        }

        Stored retried = await(db.messages().submit(NewMessage.direct(a, b, "lost", 2, "c2")));
        assertFalse(retried.duplicate());
        assertEquals(Map.of(b, 2L), retried.deliveries(), "the failed attempt used no seq");
    }

    @Test
    void submittingAfterCloseFails() {
        long a = newUser();
        db.close();
        CompletableFuture<Stored> late = db.messages().submit(NewMessage.direct(a, a, "late", 1, null));
        ExecutionException failure = assertThrows(ExecutionException.class, () -> late.get(5, TimeUnit.SECONDS));
        assertInstanceOf(StoreException.class, failure.getCause());
        db = open();
    }

    // ---- conversations, read positions, receipts and recalls

    @Test
    void conversationsAreListedNewestFirstWithTheirLastMessageAndUnreadCount() throws Exception {
        long a = newUser();
        long b = newUser();
        long c = newUser();
        long group = db.groups().create(b, "g", "", true);
        join(group, a);
        await(db.messages().submit(NewMessage.direct(b, a, "b1", 1, null)));
        long fromB = await(db.messages().submit(NewMessage.direct(b, a, "b2", 2, null))).mid();
        long inGroup = await(db.messages().submit(NewMessage.group(b, group, "g1", 3, null, List.of(a)))).mid();
        long toC = await(db.messages().submit(NewMessage.direct(a, c, "c1", 4, null))).mid();

        List<Conversation> convs = db.conversations().list(a);

        assertEquals(List.of(toC, inGroup, fromB), convs.stream().map(Conversation::lastMid).toList());
        assertEquals(c, convs.get(0).peer());
        assertEquals(name(c), convs.get(0).name());
        assertEquals(0, convs.get(0).unread(), "a's own message is not unread");
        assertEquals(group, convs.get(1).groupId());
        assertEquals("g", convs.get(1).name());
        assertEquals(1, convs.get(1).unread());
        assertEquals(new HistoryEntry(fromB, b, name(b), a, null, "b2", 2), convs.get(2).last());
        assertEquals(2, convs.get(2).unread());
        assertEquals(3, db.conversations().unreadTotal(a));
        assertEquals(1, db.conversations().list(c).get(0).unread());
    }

    @Test
    void friendEventsAreNoConversationNorUnreadNorRecallable() throws Exception {
        long a = newUser();
        long b = newUser();
        long c = newUser();
        long chat = await(db.messages().submit(NewMessage.direct(b, a, "hi", 1, null))).mid();
        long asked = await(db.messages().submit(NewMessage.event(FriendStore.REQUEST, b, a, "", 2))).mid();
        await(db.messages().submit(NewMessage.event(FriendStore.REQUEST, c, a, "", 3)));

        List<Conversation> convs = db.conversations().list(a);
        assertEquals(List.of(chat), convs.stream().map(Conversation::lastMid).toList(),
                "a request is no conversation and no conversation's last message");
        assertEquals(1, db.conversations().unreadTotal(a));
        assertTrue(db.conversations().list(c).isEmpty());
        assertTrue(db.messages().message(asked).isEmpty(), "a request is no chat message to read or recall");
        assertEquals(Map.of(), db.messages().recall(asked, List.of(a)));
        assertEquals(InboxEntry.Kind.FRIEND_REQUEST, db.messages().inboxAfter(a, 1, 10).get(0).kind());
    }

    @Test
    void aReadPositionOnlyMovesForward() throws Exception {
        long a = newUser();
        long b = newUser();
        long first = await(db.messages().submit(NewMessage.direct(b, a, "1", 1, null))).mid();
        long second = await(db.messages().submit(NewMessage.direct(b, a, "2", 2, null))).mid();
        await(db.messages().submit(NewMessage.direct(b, a, "3", 3, null)));

        assertTrue(db.conversations().markRead(a, b, 0, second));
        assertFalse(db.conversations().markRead(a, b, 0, first), "never backwards");
        assertFalse(db.conversations().markRead(a, b, 0, second), "nor twice");

        Conversation withB = db.conversations().list(a).get(0);
        assertEquals(1, withB.unread());
        assertEquals(second, withB.readMid());
    }

    @Test
    void sendingMovesTheSendersOwnReadPosition() throws Exception {
        long a = newUser();
        long b = newUser();
        long group = db.groups().create(b, "g", "", true);
        join(group, a);
        await(db.messages().submit(NewMessage.direct(b, a, "hi", 1, null)));
        await(db.messages().submit(NewMessage.group(b, group, "hi all", 2, null, List.of(a))));
        assertEquals(2, db.conversations().unreadTotal(a));

        long answer = await(db.messages().submit(NewMessage.direct(a, b, "hello", 3, null))).mid();
        long groupAnswer = await(db.messages().submit(NewMessage.group(a, group, "hello all", 4, null, List.of(b))))
                .mid();

        assertEquals(0, db.conversations().unreadTotal(a));
        List<Conversation> convs = db.conversations().list(a);
        assertEquals(List.of(groupAnswer, answer), convs.stream().map(Conversation::readMid).toList());
        assertEquals(2, db.conversations().unreadTotal(b), "the other side's count is the reader's own");
    }

    @Test
    void aGroupMembersConversationStartsWhereTheirHistoryDoes() throws Exception {
        long a = newUser();
        long b = newUser();
        long group = db.groups().create(a, "private", "", false);
        await(db.messages().submit(NewMessage.group(a, group, "before b", 1, null, List.of())));
        join(group, b);
        db.groups().decide(group, b, true, MAX_MEMBERS);

        Conversation g = db.conversations().list(b).get(0);
        assertEquals(null, g.last(), "nothing b may see yet");
        assertEquals(0, g.unread());
    }

    @Test
    void whatAnOpenGroupSaidBeforeSomeoneJoinedIsNotUnreadForThem() throws Exception {
        long a = newUser();
        long b = newUser();
        long group = db.groups().create(a, "open", "", true);
        await(db.messages().submit(NewMessage.group(a, group, "before b", 1, null, List.of())));
        join(group, b);
        long after = await(db.messages().submit(NewMessage.group(a, group, "after", 2, null, List.of(b)))).mid();

        Conversation g = db.conversations().list(b).get(0);
        assertEquals(after, g.lastMid());
        assertEquals(1, g.unread());
    }

    @Test
    void anOlderDatabaseGetsWhatConversationsAndRecallsNeedAtStart() throws Exception {
        long a = newUser();
        long b = newUser();
        long mid = await(db.messages().submit(NewMessage.direct(a, b, "from before", 1, null))).mid();
        execute("ALTER TABLE inbox DROP COLUMN kind");
        execute("ALTER TABLE messages DROP COLUMN recalled");
        execute("DROP TABLE conversations");
        db.close();

        List<String> lines = reopenLoggingLines();
        assertTrue(lines.contains("adding column inbox.kind"), lines.toString());
        assertTrue(lines.contains("adding column messages.recalled"), lines.toString());
        assertTrue(lines.contains("adding table conversations"), lines.toString());
        assertEquals(List.of(new InboxEntry(b, 1, mid, a, name(a), b, null, "from before", 1)),
                db.messages().inboxAfter(b, 0, 10));
        assertEquals(mid, db.conversations().list(b).get(0).lastMid(), "conversations of before are listed");
        assertEquals(0, db.conversations().unreadTotal(b), "and read up to their last message");
        long next = await(db.messages().submit(NewMessage.direct(a, b, "after", 2, null))).mid();
        assertEquals(next, db.conversations().list(b).get(0).lastMid());
        assertEquals(1, db.conversations().unreadTotal(b));
        assertEquals(Map.of(a, 1L, b, 3L), db.messages().recall(next, List.of(a, b)));
    }

    @Test
    void receiptsAndRecallsTakeTheNextSeqsOfTheirInboxes() throws Exception {
        long a = newUser();
        long b = newUser();
        long mid = await(db.messages().submit(NewMessage.direct(a, b, "oops", 1, null))).mid();

        assertEquals(Map.of(a, 1L), db.messages().addEntries(InboxEntry.Kind.RECEIPT, mid, List.of(a)));
        assertEquals(Map.of(a, 2L, b, 2L), db.messages().recall(mid, List.of(b, a)));
        assertEquals(Map.of(), db.messages().recall(mid, List.of(b, a)), "recalled once");

        List<InboxEntry> atA = db.messages().inboxAfter(a, 0, 10);
        assertEquals(List.of(InboxEntry.Kind.RECEIPT, InboxEntry.Kind.RECALL),
                atA.stream().map(InboxEntry::kind).toList());
        List<InboxEntry> atB = db.messages().inboxAfter(b, 0, 10);
        assertEquals(List.of(InboxEntry.Kind.CHAT, InboxEntry.Kind.RECALL), atB.stream().map(InboxEntry::kind).toList());
        assertTrue(atB.get(0).recalled());
        assertEquals("", atB.get(0).text());
        HistoryEntry shown = db.messages().history(b, a, null, 10).get(0);
        assertEquals(new HistoryEntry(mid, a, name(a), b, null, "", 1, true), shown);
        assertEquals(shown, db.messages().message(mid).orElseThrow());
        assertTrue(db.messages().message(mid + 1_000_000).isEmpty());
    }

    // ---- helpers

    /** Joins or asks to join, as a native client would, under the default limit. */
    private Joining join(long group, long uid) {
        return db.groups().join(group, uid, MAX_MEMBERS, true);
    }

    long newUser() {
        return db.users().register(uniqueName(), PASSWORD).orElseThrow();
    }

    private static String uniqueName() {
        return "User" + NAMES.incrementAndGet();
    }

    private String name(long id) {
        return db.users().find(id).orElseThrow().name();
    }

    private String storedPassword(long id) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT password FROM users WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getString(1);
            }
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        }
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    private static List<Stored> await(List<CompletableFuture<Stored>> futures) throws Exception {
        List<Stored> out = new ArrayList<>();
        for (CompletableFuture<Stored> future : futures) {
            out.add(await(future));
        }
        return out;
    }

    private static List<Long> ids(List<User> users) {
        return users.stream().map(User::id).toList();
    }

    private static List<Long> seqs(List<InboxEntry> entries) {
        return entries.stream().map(InboxEntry::seq).toList();
    }

    private static List<Long> mids(List<InboxEntry> entries) {
        return entries.stream().map(InboxEntry::mid).toList();
    }

    private static List<Long> historyMids(List<HistoryEntry> entries) {
        return entries.stream().map(HistoryEntry::mid).toList();
    }
}
