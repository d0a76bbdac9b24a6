package muchat.e2e;

import static muchat.e2e.ChatServerTest.login;
import static muchat.e2e.ChatServerTest.register;
import static muchat.e2e.WireClient.hasType;
import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.HEARTBEAT;
import static muchat.protocol.MsgType.HEARTBEAT_ACK;
import static muchat.protocol.MsgType.LOGIN;
import static muchat.protocol.MsgType.LOGIN_ACK;
import static muchat.protocol.MsgType.ONE_CHAT;
import static muchat.protocol.MsgType.SYNC;
import static muchat.protocol.MsgType.SYNC_DONE;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A full inbox is replayed a page at a time (docs/protocol.md, SYNC and section 5): every
 * SYNC_DONE but the last says {@code more}, the client asks for each next page, every
 * message arrives once and in order, and the strand doing it keeps answering its other
 * connections in between. The server has one logic strand, so every connection shares it.
 */
class PagingTest {
    /** The server's page size, as docs/protocol.md states it. */
    private static final int PAGE = 200;
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static ServerFixture server;

    @BeforeAll
    static void startServer() throws IOException {
        server = new ServerFixture("--logic-threads", "1");
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    @Timeout(20)
    void aLoginReplayOfMoreThanAPageEndsWithMoreAndSyncBringsTheRestOnce() throws Exception {
        try (WireClient sender = WireClient.nativeClient(server.address());
             WireClient reader = WireClient.nativeClient(server.address())) {
            long from = register(sender, uniqueName(), "secret1");
            long to = register(reader, uniqueName(), "secret1");
            fillInbox(from, to, 2 * PAGE + 50);

            reader.send(LOGIN, obj("id", to, "password", "secret1"));
            assertEquals(0, reader.await(LOGIN_ACK).get("errno").asInt());
            assertPage(reader, 1, PAGE, true);
            reader.send(SYNC, obj("after", PAGE));
            assertPage(reader, PAGE + 1, 2 * PAGE, true);
            reader.send(SYNC, obj("after", 2 * PAGE));
            assertPage(reader, 2 * PAGE + 1, 2 * PAGE + 50, false);
            reader.expectSilence(300);
        }
    }

    @Test
    @Timeout(30)
    void fiftyThousandWaitingMessagesComeInPagesWhileAnotherUserIsAnsweredPromptly() throws Exception {
        int count = 50_000;
        ScheduledExecutorService probeTimer = Executors.newSingleThreadScheduledExecutor();
        try (WireClient sender = WireClient.nativeClient(server.address());
             WireClient reader = WireClient.nativeClient(server.address());
             WireClient probe = WireClient.nativeClient(server.address())) {
            long from = register(sender, uniqueName(), "secret1");
            long to = register(reader, uniqueName(), "secret1");
            login(probe, register(probe, uniqueName(), "secret1"), "secret1");
            fillInbox(from, to, count);
            Probe heartbeats = new Probe(probe);
            probeTimer.scheduleWithFixedDelay(heartbeats::once, 0, 20, TimeUnit.MILLISECONDS);
            reader.send(LOGIN, obj("id", to, "password", "secret1"));
            assertEquals(0, reader.await(LOGIN_ACK).get("errno").asInt());
            List<Integer> pageSizes = new ArrayList<>();
            long lastSeq = 0;
            for (boolean more = true; more; ) {
                int size = 0;
                JsonNode frame;
                while (hasType(frame = reader.await(f -> true, "a push or SYNC_DONE"), ONE_CHAT)) {
                    long seq = frame.get("seq").asLong();
                    assertEquals(lastSeq + 1, seq, "each message once, in order");
                    assertEquals("m" + seq, frame.get("msg").asText());
                    lastSeq = seq;
                    size++;
                }
                assertEquals(SYNC_DONE.code(), frame.get("msgid").asInt(), frame.toString());
                assertEquals(lastSeq, frame.get("upto").asLong());
                more = frame.path("more").asBoolean(false);
                pageSizes.add(size);
                if (more) {
                    reader.send(SYNC, obj("after", lastSeq));
                }
            }
            probeTimer.shutdown();
            boolean probeStopped = probeTimer.awaitTermination(15, TimeUnit.SECONDS); // its reads time out in 10
            long pages = pageSizes.size();
            long arrived = lastSeq;
            assertAll(
                    () -> assertEquals(count, arrived, "every message arrived"),
                    () -> assertTrue(pageSizes.stream().allMatch(size -> size <= PAGE),
                            "no page above " + PAGE + " messages: " + pageSizes.subList(0, (int) Math.min(pages, 5))),
                    () -> assertEquals((count + PAGE - 1) / PAGE, pages, "pages, each but the last saying more"),
                    () -> assertTrue(probeStopped && heartbeats.answered.get() >= 5,
                            "the probe ran: " + heartbeats.answered),
                    () -> assertTrue(heartbeats.slowestMillis.get() < 200,
                            "another user's HEARTBEAT waited " + heartbeats.slowestMillis + " ms"));
            assertNull(heartbeats.failed.get(), "the probe's connection failed");
        } finally {
            probeTimer.shutdownNow();
        }
    }

    /** Another user's HEARTBEAT round trips, timed one after another. */
    private static final class Probe {
        private final WireClient client;
        final AtomicInteger answered = new AtomicInteger();
        final AtomicLong slowestMillis = new AtomicLong();
        final AtomicReference<Throwable> failed = new AtomicReference<>();

        Probe(WireClient client) {
            this.client = client;
        }

        void once() {
            try {
                long start = System.nanoTime();
                client.send(HEARTBEAT, obj());
                client.await(HEARTBEAT_ACK);
                slowestMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), Math::max);
                answered.incrementAndGet();
            } catch (IOException | AssertionError e) {
                failed.compareAndSet(null, e);
            }
        }
    }

    /** Reads pushes {@code first}..{@code last}, in order, then SYNC_DONE saying {@code more}. */
    private static void assertPage(WireClient reader, long first, long last, boolean more) throws IOException {
        for (long seq = first; seq <= last; seq++) {
            JsonNode push = reader.await(f -> true, "push " + seq);
            assertEquals(ONE_CHAT.code(), push.get("msgid").asInt(), "push " + seq + " expected: " + push);
            assertEquals(seq, push.get("seq").asLong());
            assertEquals("m" + seq, push.get("msg").asText());
        }
        JsonNode done = reader.await(f -> true, "SYNC_DONE");
        assertEquals(SYNC_DONE.code(), done.get("msgid").asInt(), "SYNC_DONE after seq " + last + ": " + done);
        assertEquals(last, done.get("upto").asLong());
        assertEquals(more, done.path("more").asBoolean(false), done.toString());
    }

    /**
     * Stores {@code count} messages from {@code from} to {@code to} straight into the
     * database, as the server would have: message n has the text {@code "m<n>"} and seq
     * n in {@code to}'s inbox. Thousands of chats through the socket would take longer
     * than the whole test may.
     */
    private static void fillInbox(long from, long to, int count) throws SQLException {
        try (Connection db = server.openDatabase()) {
            update(db, "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?)"
                    + " INSERT INTO messages (sender, to_user, body, ts) SELECT ?, ?, 'm' || x, ? FROM n",
                    count, from, to, System.currentTimeMillis());
            update(db, "INSERT INTO inbox (uid, seq, mid) SELECT ?, CAST(substr(body, 2) AS INTEGER), mid"
                    + " FROM messages WHERE sender = ? AND to_user = ?", to, from, to);
            update(db, "UPDATE inbox_cursor SET last_seq = ? WHERE uid = ?", count, to);
        }
    }

    private static void update(Connection db, String sql, Object... params) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            statement.executeUpdate();
        }
    }

    private static String uniqueName() {
        return "pager" + NAMES.incrementAndGet();
    }
}
