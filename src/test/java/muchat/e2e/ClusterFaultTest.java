package muchat.e2e;

import static muchat.e2e.WireClient.hasType;
import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.ADD_FRIEND;
import static muchat.protocol.MsgType.ERROR;
import static muchat.protocol.MsgType.HEARTBEAT;
import static muchat.protocol.MsgType.HEARTBEAT_ACK;
import static muchat.protocol.MsgType.ONE_CHAT;
import static muchat.protocol.MsgType.SEND_ACK;
import static muchat.protocol.MsgType.SYNC_DONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import muchat.it.MariaDbProcess;
import muchat.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/protocol.md section 5 (Sending) under real faults: once SEND_ACK was sent, the message reaches its
 * recipient whatever fails in between. Two instances (a, b) on a private MariaDB and
 * Redis, nginx in front; each test breaks one process (SIGKILL of an instance, a Redis
 * restart, MariaDB stopped) and {@link #restore} brings it back for the next.
 */
class ClusterFaultTest {
    private static final int MESSAGES = 2000;
    /** Chats a sender keeps unacknowledged at most, as a pipelining client would. */
    private static final int WINDOW = 50;
    /** The kill comes once this many chats were acknowledged: well inside the stream. */
    private static final int KILL_AFTER_ACKS = 300;
    /** A push on the fast path takes milliseconds; the database sweep every few seconds. */
    private static final Duration LIVE = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static ClusterFixture cluster;

    private final ExecutorService background = Executors.newFixedThreadPool(2);

    @BeforeAll
    static void startCluster() throws IOException {
        cluster = new ClusterFixture("cfault", 2, "--rate-limit", "100000", "--open-friends", "yes");
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @AfterEach
    void restore() {
        background.shutdownNow();
        cluster.restoreAll();
    }

    // ---- an instance stopped on purpose -------------------------------------------------------------

    @Test
    void aSigtermStopsAnInstanceCleanlyAndMarksOnlyItsOwnUsersOffline() throws Exception {
        try (ChatUser onA = user(); ChatUser onB = user(); ChatUser watcher = user()) {
            onA.loginAt(cluster.address("a"));
            onB.loginAt(cluster.address("b"));
            watcher.loginAt(cluster.address("b"));
            watcher.call(ADD_FRIEND, obj("friendid", onA.id()), ADD_FRIEND);
            watcher.call(ADD_FRIEND, obj("friendid", onB.id()), ADD_FRIEND);
            String lastWords = onA.chat(onB.id(), "last words before the shutdown");
            assertEquals(SEND_ACK.code(), onA.awaitOutcome(lastWords).get("msgid").asInt());

            cluster.instance("a").stop();
            assertEquals(0, cluster.instance("a").exitValue(), "a graceful stop exits 0");
            assertTrue(onA.closedByServer());
            Map<Long, String> states = new HashMap<>();
            watcher.loginAt(cluster.address("b")).get("friends")
                    .forEach(f -> states.put(f.get("id").asLong(), f.get("state").asText()));
            assertEquals("offline", states.get(onA.id()), "released at once, not after the presence TTL");
            assertEquals("online", states.get(onB.id()), "the other instance's users are untouched");
            onB.awaitPushes(1);
        }
    }

    // ---- an instance killed ---------------------------------------------------------------------

    @Test
    void aRecipientWhoseInstanceIsKilledReconnectsAndGetsEveryAcknowledgedMessageOnceInOrder() throws Exception {
        try (ChatUser sender = user(); ChatUser recipient = user()) {
            sender.loginAt(cluster.address("a"));
            recipient.loginAt(cluster.address("b"));
            Future<?> sending = inBackground(() ->
                    sender.chatThroughFailures(recipient.id(), MESSAGES, WINDOW, cluster.nginxAddress()));
            Future<?> receiving = inBackground(() ->
                    recipient.awaitPushesThroughFailures(MESSAGES, cluster.nginxAddress()));

            int ackedAtKill = killWhenAcked(sender, "b");
            finish(sending);
            finish(receiving);

            assertTrue(ackedAtKill < MESSAGES, "the kill came while the sender was sending");
            assertTrue(recipient.reconnects() >= 1, "the recipient lost its instance and logged in again");
            assertEveryAcknowledgedChatArrivedOnceInOrder(sender, recipient);
        }
    }

    @Test
    void aSenderWhoseInstanceIsKilledResendsTheUnacknowledgedAndNothingArrivesTwice() throws Exception {
        try (ChatUser sender = user(); ChatUser recipient = user()) {
            sender.loginAt(cluster.address("b"));
            recipient.loginAt(cluster.address("a"));
            Future<?> sending = inBackground(() ->
                    sender.chatThroughFailures(recipient.id(), MESSAGES, WINDOW, cluster.nginxAddress()));
            Future<?> receiving = inBackground(() ->
                    recipient.awaitPushesThroughFailures(MESSAGES, cluster.nginxAddress()));

            killWhenAcked(sender, "b");
            finish(sending);
            finish(receiving);

            assertTrue(sender.reconnects() >= 1, "the sender lost its instance and logged in again");
            assertTrue(sender.resent() > 0, "some chats were in flight at the kill and were sent again");
            assertEquals(0, recipient.reconnects(), "the recipient's instance lived");
            assertEveryAcknowledgedChatArrivedOnceInOrder(sender, recipient);
        }
    }

    /** Waits until {@code sender} has {@link #KILL_AFTER_ACKS} acks, then SIGKILLs the instance. */
    private static int killWhenAcked(ChatUser sender, String instance) {
        Await.until("the first " + KILL_AFTER_ACKS + " acks", WAIT, () -> sender.ackCount() >= KILL_AFTER_ACKS);
        int acked = sender.ackCount();
        cluster.instance(instance).kill9();
        return acked;
    }

    /**
     * The recipient, after dropping duplicates by seq, got exactly the acknowledged chats:
     * seqs 1..n without gaps (checked by ChatUser as they come), each chat once, in the
     * order they were sent, and no two mids for one cmid.
     */
    private static void assertEveryAcknowledgedChatArrivedOnceInOrder(ChatUser sender, ChatUser recipient)
            throws IOException {
        assertEquals(MESSAGES, sender.acked().size(), "every chat was acknowledged in the end");
        assertEquals(MESSAGES, recipient.sync(), "nothing more is waiting: no chat was stored twice");
        List<ChatUser.Push> pushes = recipient.pushes();
        assertEquals(MESSAGES, pushes.size());

        Map<String, Long> midByText = new HashMap<>();
        int previous = 0;
        for (ChatUser.Push push : pushes) {
            Long other = midByText.putIfAbsent(push.msg(), push.mid());
            assertTrue(other == null, "chat " + push.msg() + " arrived as mids " + other + " and " + push.mid());
            int n = Integer.parseInt(push.msg().substring(1));
            assertTrue(n > previous, "chat " + push.msg() + " arrived after #" + previous);
            previous = n;
            assertEquals(sender.acked().get(sender.cmid(n)), push.mid(), "the mid SEND_ACK gave for " + push.msg());
        }
        Set<Long> pushedMids = new HashSet<>(midByText.values());
        assertEquals(new HashSet<>(sender.acked().values()), pushedMids);
    }

    // ---- Redis restarted ----------------------------------------------------------------------------

    @Test
    void aRedisRestartLosesNothingAndPushesResumeOnTheSameConnections() throws Exception {
        try (ChatUser x = user(); ChatUser y = user()) {
            x.loginAt(cluster.address("a"));
            y.loginAt(cluster.address("b"));
            exchange(x, y, "before");

            long markA = cluster.logMark("a");
            long markB = cluster.logMark("b");
            cluster.redis().kill();
            String toY = x.chat(y.id(), "during the outage");
            String toX = y.chat(x.id(), "during the outage");
            assertEquals(SEND_ACK.code(), x.awaitOutcome(toY).get("msgid").asInt(), "the database still takes chats");
            assertEquals(SEND_ACK.code(), y.awaitOutcome(toX).get("msgid").asInt());
            cluster.redis().start();

            Await.until("both instances back on Redis", WAIT,
                    () -> cluster.logHasSince("a", markA, "resync after redis outage")
                            && cluster.logHasSince("b", markB, "resync after redis outage"));
            x.awaitPushes(2);
            y.awaitPushes(2);
            assertEquals("during the outage", x.pushes().get(1).msg());
            assertEquals("during the outage", y.pushes().get(1).msg());

            for (int i = 1; i <= 3; i++) {
                assertPushedLive(x, y, "after " + i);
                assertPushedLive(y, x, "after " + i);
            }
            assertEquals(5, x.sync());
            assertEquals(5, y.sync());
            assertEquals(0, x.reconnects() + y.reconnects(), "nobody had to reconnect");
            assertEquals(Set.copyOf(x.acked().values()), mids(y));
            assertEquals(Set.copyOf(y.acked().values()), mids(x));
        }
    }

    /** One chat each way, each acknowledged and pushed. */
    private static void exchange(ChatUser x, ChatUser y, String text) throws IOException {
        assertPushedLive(x, y, text);
        assertPushedLive(y, x, text);
    }

    /** {@code from}'s chat gets SEND_ACK and reaches {@code to} within {@link #LIVE}: the fast path. */
    private static void assertPushedLive(ChatUser from, ChatUser to, String text) throws IOException {
        long start = System.nanoTime();
        String cmid = from.chat(to.id(), text);
        long mid = from.awaitOutcome(cmid).get("mid").asLong();
        to.awaitPushes(to.pushes().size() + 1);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        ChatUser.Push push = to.pushes().get(to.pushes().size() - 1);
        assertEquals(mid, push.mid());
        assertEquals(text, push.msg());
        assertTrue(millis < LIVE.toMillis(), "\"" + text + "\" took " + millis + " ms: not pushed live");
    }

    private static Set<Long> mids(ChatUser user) {
        Set<Long> mids = new HashSet<>();
        user.pushes().forEach(p -> mids.add(p.mid()));
        return mids;
    }

    // ---- MariaDB stopped ----------------------------------------------------------------------------

    @Test
    void whileMariaDbIsDownRequestsGetErrno50AndServiceResumesWhenItIsBack() throws Exception {
        try (ChatUser x = user(); ChatUser y = user(); ChatUser late = user()) {
            x.loginAt(cluster.address("a"));
            y.loginAt(cluster.address("b"));
            late.connect(cluster.address("a"));

            cluster.db().stop();
            JsonNode refused = late.login();
            assertEquals(50, refused.get("errno").asInt(), "LOGIN_ACK while the database is down: " + refused);
            String cmid = x.chat(y.id(), "while the database is down");
            JsonNode error = x.awaitOutcome(cmid);
            assertEquals(ERROR.code(), error.get("msgid").asInt(), error.toString());
            assertEquals(50, error.get("errno").asInt());
            assertEquals(ONE_CHAT.code(), error.get("ref").asInt());
            x.call(HEARTBEAT, obj(), HEARTBEAT_ACK);
            JsonNode refusedSync = y.syncReply();
            assertEquals(ERROR.code(), refusedSync.get("msgid").asInt(), "SYNC while the database is down: " + refusedSync);
            assertEquals(50, refusedSync.get("errno").asInt());
            assertTrue(cluster.instance("a").isAlive() && cluster.instance("b").isAlive(), "no instance crashed");

            cluster.db().start();
            JsonNode loginAck = retryUntilOk(late::login, ack -> ack.get("errno").asInt() == 0);
            assertEquals(late.id(), loginAck.get("id").asLong(), "the same connection logs in once it is back");
            JsonNode sendAck = retryUntilOk(() -> {
                x.resendUnacked();
                return x.awaitOutcome(cmid);
            }, reply -> hasType(reply, SEND_ACK));
            y.awaitPushes(1);
            assertEquals(sendAck.get("mid").asLong(), y.pushes().get(0).mid());
            JsonNode syncDone = retryUntilOk(y::syncReply, reply -> hasType(reply, SYNC_DONE));
            assertEquals(1, syncDone.get("upto").asLong(), "instance b reads again; the refused attempt was not stored");
        }
    }

    @Test
    void aLoginWhoseInboxCannotBeReadIsAcceptedAndItsReplayRefusedUntilASync() throws Exception {
        try (ChatUser x = user(); ChatUser y = user()) {
            x.loginAt(cluster.address("a"));
            String cmid = x.chat(y.id(), "waiting for y");
            assertEquals(SEND_ACK.code(), x.awaitOutcome(cmid).get("msgid").asInt());

            String inbox = MariaDbProcess.DATABASE + ".inbox";
            cluster.db().execute("RENAME TABLE " + inbox + " TO " + inbox + "_away");
            try {
                y.loginAt(cluster.address("b")); // the login itself reads no inbox
                JsonNode end = y.replayEnd();
                assertEquals(ERROR.code(), end.get("msgid").asInt(), "no SYNC_DONE for a replay that could not read: " + end);
                assertEquals(50, end.get("errno").asInt());
            } finally {
                cluster.db().execute("RENAME TABLE " + inbox + "_away TO " + inbox);
            }
            assertEquals(1, y.sync(), "SYNC replays what the login could not");
            assertEquals("waiting for y", y.pushes().get(0).msg());
        }
    }

    /** Repeats {@code attempt} (a client's retry, 100 ms apart) until {@code ok}, within {@link #WAIT}. */
    private static JsonNode retryUntilOk(IoCall attempt, Predicate<JsonNode> ok)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode reply = attempt.call();
            if (ok.test(reply)) {
                return reply;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still refused after " + WAIT.toSeconds() + " s: " + reply);
            }
            Thread.sleep(100); // a client's retry interval, not synchronisation
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** A test step that talks to the cluster. */
    @FunctionalInterface
    private interface IoCall {
        JsonNode call() throws IOException;
    }

    @FunctionalInterface
    private interface IoTask {
        void run() throws IOException;
    }

    private Future<?> inBackground(IoTask task) {
        return background.submit((Callable<Void>) () -> {
            task.run();
            return null;
        });
    }

    /** Waits for a background task and rethrows what failed it, assertion errors included. */
    private static void finish(Future<?> task) throws Exception {
        try {
            task.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw (Exception) e.getCause();
        }
    }

    private static ChatUser user() throws IOException {
        return ChatUser.register(cluster.nginxAddress(), "cf" + NAMES.incrementAndGet());
    }
}
