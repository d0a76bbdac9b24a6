package muchat.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import muchat.it.RedisProcess;
import muchat.service.OtherInstances;
import muchat.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

/** Two instances A and B on one private redis-server, which some tests kill and restart. */
class RedisClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration SHORT_TTL = Duration.ofMillis(600);
    private static RedisProcess redis;

    private final List<RedisCluster> clusters = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        redis = RedisProcess.launch();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void emptyRedis() {
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            jedis.flushAll();
        }
    }

    @AfterEach
    void closeInstances() {
        clusters.forEach(RedisCluster::close);
    }

    private RedisCluster join(String id, RecordingListener listener, Duration ttl) {
        RedisCluster c = RedisCluster.connect(redis.hostPort(), id, ttl);
        c.setListener(listener);
        clusters.add(c);
        return c;
    }

    private RedisCluster join(String id, RecordingListener listener) {
        return join(id, listener, RedisCluster.DEFAULT_PRESENCE_TTL);
    }

    /** One push on its own; true if it reached an instance holding the user. */
    private static boolean pushOne(RedisCluster cluster, long uid, long seq, byte[] json) {
        return cluster.push(List.of(new OtherInstances.Push(uid, seq, json))) == 1;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aLoginOnAnotherInstanceKicksTheFirstSession() {
        RecordingListener a = new RecordingListener();
        RecordingListener b = new RecordingListener();
        RedisCluster ca = join("a", a);
        RedisCluster cb = join("b", b);

        ca.claim(42, "default", 142, 5);
        cb.claim(42, "default", 242, 5);

        Await.until("A hears the kick of user 42", WAIT, () -> a.kicks.contains(42L));
        assertTrue(b.kicks.isEmpty(), "the new holder is not kicked");
    }

    @Test
    void aKickNamesTheClaimItEndsAndAReleaseOfAnOlderClaimKeepsTheNewerOne() {
        RecordingListener a = new RecordingListener();
        RecordingListener b = new RecordingListener();
        RedisCluster ca = join("a", a);
        RedisCluster cb = join("b", b);

        ca.claim(61, "default", 1001, 5);
        ca.claim(61, "default", 1002, 5); // a newer login on A itself: A kicks its own session, nobody is told
        ca.release(61, "default", 1001); // the older login leaving late must not erase the newer claim
        assertEquals(Set.of(61L), cb.onlineAmong(List.of(61L)));
        cb.claim(61, "default", 2001, 5);

        Await.until("A hears the kick of user 61", WAIT, () -> a.kicks.contains(61L));
        assertEquals(List.of(1002L), a.kickedClaims, "only the claim that B replaced");
        assertTrue(b.kicks.isEmpty());
    }

    @Test
    void aPushReachesTheHoldingInstanceWithUidSeqAndJsonIntact() {
        RecordingListener b = new RecordingListener();
        RedisCluster ca = join("a", new RecordingListener());
        RedisCluster cb = join("b", b);
        cb.claim(7, "default", 207, 5);
        String json = "{\"msgid\":6,\"msg\":\"héllo ✓\",\"seq\":99}";

        assertTrue(pushOne(ca, 7, 99, utf8(json)));

        Await.until("B hears the push", WAIT, () -> !b.pushes.isEmpty());
        assertEquals(List.of(new RecordingListener.Push(7, 99, json)), b.pushes);
        assertTrue(b.threads.stream().allMatch(t -> t.getName().startsWith("muchat-redis-sub-b")),
                "listener calls run on B's subscriber thread");
    }

    @Test
    void devicesOfOneUserOnTwoInstancesBothGetAPushAndTheCapCountsThemAll() {
        RecordingListener a = new RecordingListener();
        RecordingListener b = new RecordingListener();
        RedisCluster ca = join("a", a);
        RedisCluster cb = join("b", b);
        RedisCluster cc = join("c", new RecordingListener());
        assertTrue(ca.claim(9, "phone", 109, 2));
        assertFalse(ca.mayHaveDevicesElsewhere(9), "A holds the only device");
        assertTrue(cb.claim(9, "laptop", 209, 2));
        assertTrue(cb.mayHaveDevicesElsewhere(9), "B's claim found the phone on A");
        Await.until("A hears that B holds a device too", WAIT, () -> ca.mayHaveDevicesElsewhere(9));
        assertFalse(cc.claim(9, "tablet", 309, 2), "a third device over a cap of two is refused");
        assertTrue(cc.claim(9, "laptop", 310, 2), "a device already counted may log in again");

        assertEquals(1, ca.push(List.of(new OtherInstances.Push(9, 1, utf8("{\"seq\":1}")))),
                "A pushes to the one other instance holding a device: C, which took the laptop from B");
        Await.until("B hears the kick of the laptop", WAIT, () -> b.kickedClaims.contains(209L));
        assertTrue(a.kicks.isEmpty(), "the phone keeps its claim");
        cc.release(9, "laptop", 310);
        cb.claim(9, "laptop", 210, 2);
        assertEquals(1, cc.push(List.of(new OtherInstances.Push(9, 2, utf8("{\"seq\":2}")))));
        Await.until("A and B both hear the push from C", WAIT,
                () -> a.pushes.stream().anyMatch(p -> p.seq() == 2) && b.pushes.stream().anyMatch(p -> p.seq() == 2));
    }

    @Test
    void manyPushesGoInOneCallAndArriveInOrderAfterRedisForgotTheScript() {
        RecordingListener b = new RecordingListener();
        RedisCluster ca = join("a", new RecordingListener());
        RedisCluster cb = join("b", b);
        cb.claim(8, "default", 208, 5);
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            jedis.scriptFlush(); // as after a restart: every EVALSHA is refused once
        }
        List<OtherInstances.Push> pushes = new ArrayList<>();
        for (long seq = 1; seq <= 200; seq++) {
            pushes.add(new OtherInstances.Push(8, seq, utf8("{\"seq\":" + seq + "}")));
        }
        pushes.add(new OtherInstances.Push(404, 1, utf8("{}")));

        assertEquals(200, ca.push(pushes), "every push to a held user is received, none to nobody");

        Await.until("B hears all 200", WAIT, () -> b.pushes.size() == 200);
        assertEquals(pushes.subList(0, 200).stream().map(OtherInstances.Push::seq).toList(),
                b.pushes.stream().map(RecordingListener.Push::seq).toList());
    }

    @Test
    void aPushToNobodyReturnsFalse() {
        RedisCluster ca = join("a", new RecordingListener());
        assertFalse(pushOne(ca, 404, 1, utf8("{}")));
    }

    @Test
    void aReleaseByTheStaleInstanceKeepsTheNewerClaim() {
        RecordingListener b = new RecordingListener();
        RedisCluster ca = join("a", new RecordingListener());
        RedisCluster cb = join("b", b);
        ca.claim(5, "default", 105, 5);
        cb.claim(5, "default", 205, 5);

        ca.release(5, "default", 105);

        assertEquals(Set.of(5L), ca.onlineAmong(List.of(5L)));
        assertTrue(pushOne(ca, 5, 1, utf8("{}")));
        Await.until("the push still reaches B", WAIT, () -> b.heardPush(p -> p.uid() == 5));
    }

    @Test
    void onlineAmongNamesExactlyTheUsersOnlineAnywhere() {
        RedisCluster ca = join("a", new RecordingListener());
        RedisCluster cb = join("b", new RecordingListener());
        ca.claim(1, "default", 101, 5);
        cb.claim(2, "default", 202, 5);
        cb.claim(4, "default", 204, 5);
        cb.release(4, "default", 204);

        assertEquals(Set.of(1L, 2L), cb.onlineAmong(List.of(1L, 2L, 3L, 4L)));
        assertEquals(Set.of(), ca.onlineAmong(List.of()));
    }

    @Test
    void presenceLastsWhileRefreshedAndExpiresWhenTheHolderDies() throws InterruptedException {
        RedisCluster ca = join("a", new RecordingListener(), SHORT_TTL);
        RedisCluster cb = join("b", new RecordingListener());
        ca.claim(11, "default", 111, 5);

        Thread.sleep(SHORT_TTL.toMillis() * 3); // several TTLs: only the refresh keeps it
        assertEquals(Set.of(11L), cb.onlineAmong(List.of(11L)));

        ca.stopWithoutReleasing();
        Await.until("user 11 goes offline after A died", WAIT,
                () -> cb.onlineAmong(List.of(11L)).isEmpty());
    }

    @Test
    void aCleanCloseReleasesEveryUserAtOnce() {
        RedisCluster ca = RedisCluster.connect(redis.hostPort(), "a");
        RedisCluster cb = join("b", new RecordingListener());
        ca.claim(21, "default", 121, 5);
        ca.claim(22, "default", 122, 5);

        ca.close();

        assertEquals(Set.of(), cb.onlineAmong(List.of(21L, 22L)));
    }

    @Test
    void afterARedisRestartPresenceIsBackResyncFiresAndPushesFlow() {
        ListAppender<ILoggingEvent> logs = captureLinkLogs();
        RecordingListener a = new RecordingListener();
        RecordingListener b = new RecordingListener();
        RedisCluster ca = join("a", a, SHORT_TTL);
        RedisCluster cb = join("b", b, SHORT_TTL);
        ca.claim(31, "default", 131, 5);
        cb.claim(32, "default", 232, 5);
        ca.claim(33, "default", 133, 5);

        redis.kill();
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertFalse(pushOne(ca, 32, i, utf8("{}")), "push while redis is down");
        }
        ca.release(31, "default", 131);
        cb.claim(33, "default", 233, 5); // a login during the outage: A's session of 33 must still be kicked
        assertEquals(Set.of(), ca.onlineAmong(List.of(32L)));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos(),
                "calls while redis is down return at once");

        redis.start();

        Await.until("both instances resync", WAIT, () -> a.resyncs == 1 && b.resyncs == 1);
        Await.until("presence is registered again", WAIT,
                () -> ca.onlineAmong(List.of(31L, 32L, 33L)).equals(Set.of(32L, 33L)));
        Await.until("A's older session of 33 is kicked", WAIT, () -> a.kicks.contains(33L));
        assertTrue(pushOne(ca, 32, 1000, utf8("{\"after\":true}")));
        Await.until("B hears the push", WAIT, () -> b.heardPush(p -> p.seq() == 1000));

        assertEquals(2, count(logs, Level.WARN), "one WARN per instance for the outage");
        assertEquals(2, count(logs, Level.INFO), "one INFO per instance when redis is back");
    }

    @Test
    void anInstanceStartedWhileRedisIsDownJoinsWhenItComesBack() {
        redis.kill();
        RecordingListener a = new RecordingListener();
        RedisCluster ca = join("a", a);
        ca.claim(51, "default", 151, 5);
        assertFalse(pushOne(ca, 51, 1, utf8("{}")));

        redis.start();

        Await.until("A resyncs", WAIT, () -> a.resyncs == 1);
        RedisCluster cb = join("b", new RecordingListener());
        assertEquals(Set.of(51L), cb.onlineAmong(List.of(51L)));
        assertTrue(pushOne(cb, 51, 2, utf8("{}")));
        Await.until("A hears the push", WAIT, () -> a.heardPush(p -> p.seq() == 2));
    }

    private static ListAppender<ILoggingEvent> captureLinkLogs() {
        Logger logger = (Logger) LoggerFactory.getLogger(RedisLink.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
    }

    private static long count(ListAppender<ILoggingEvent> logs, Level level) {
        return logs.list.stream().filter(e -> e.getLevel() == level).count();
    }
}
