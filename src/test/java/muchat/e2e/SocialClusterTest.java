package muchat.e2e;

import static muchat.e2e.WireClient.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Friend requests, PRESENCE, TYPING and READ between users, and devices of a user, held by two instances of a real
 * cluster (MariaDB, Redis, nginx): the events and signals cross through Redis.
 */
class SocialClusterTest {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static ClusterFixture cluster;

    @BeforeAll
    static void startCluster() throws IOException {
        cluster = new ClusterFixture("csocial", 2);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void aRequestItsAnswerPresenceAndTypingCrossInstances() throws IOException {
        try (ChatUser x = user(); ChatUser y = user(); ChatUser stranger = user()) {
            x.loginAt(cluster.address("a"));
            y.loginAt(cluster.address("b"));
            stranger.loginAt(cluster.address("a"));

            assertTrue(x.call(7, obj("friendid", y.id()), 7).get("pending").asBoolean());
            JsonNode request = y.awaitFrame(116);
            assertEquals(x.id(), request.get("id").asLong());
            y.send(117, obj("friendid", x.id(), "accept", true));
            assertEquals(0, y.awaitFrame(f -> f.path("msgid").asInt() == 117).get("errno").asInt());
            JsonNode reply = x.awaitFrame(f -> f.path("msgid").asInt() == 117 && f.has("seq"));
            assertEquals(y.id(), reply.get("id").asLong());
            assertTrue(reply.get("accept").asBoolean());

            x.send(114, obj("toid", y.id()));
            assertEquals(x.id(), y.awaitFrame(114).get("id").asLong(), "typing from instance a reaches b");
            stranger.send(114, obj("toid", y.id()));

            y.close();
            JsonNode offline = x.awaitFrame(115);
            assertEquals(y.id(), offline.get("id").asLong());
            assertEquals("offline", offline.get("state").asText());
            y.loginAt(cluster.address("b"));
            JsonNode online = x.awaitFrame(115);
            assertEquals("online", online.get("state").asText());
            stranger.expectSilence(500);
        }
    }

    @Test
    void friendEventsTypingAndReadsReachDevicesOfOneUserOnTwoInstances() throws IOException {
        try (WireClient phone = WireClient.nativeClient(cluster.address("a"));
             WireClient laptop = WireClient.nativeClient(cluster.address("b"));
             WireClient bob = WireClient.nativeClient(cluster.address("a"))) {
            long alice = ChatServerTest.register(bob, "cs" + NAMES.incrementAndGet(), ChatUser.PASSWORD);
            long bobId = ChatServerTest.register(bob, "cs" + NAMES.incrementAndGet(), ChatUser.PASSWORD);
            ChatServerTest.login(phone, alice, ChatUser.PASSWORD, "phone");
            ChatServerTest.login(laptop, alice, ChatUser.PASSWORD, "laptop");
            ChatServerTest.login(bob, bobId, ChatUser.PASSWORD);

            bob.send(7, obj("friendid", alice));
            bob.await(7);
            assertEquals(bobId, phone.await(116).get("id").asLong(), "the device on bob's instance");
            assertEquals(bobId, laptop.await(116).get("id").asLong(), "the device on the other instance");
            laptop.send(117, obj("friendid", bobId, "accept", true));
            laptop.await(117);
            bob.await(f -> f.path("msgid").asInt() == 117 && f.has("seq"), "the reply");

            bob.send(114, obj("toid", alice));
            assertEquals(bobId, phone.await(114).get("id").asLong());
            assertEquals(bobId, laptop.await(114).get("id").asLong());

            bob.send(6, obj("toid", alice, "msg", "read me", "cmid", "r1"));
            long mid = phone.await(6).get("mid").asLong();
            laptop.await(6);
            phone.send(112, obj("peer", bobId, "mid", mid));
            assertEquals(alice, bob.await(112).get("id").asLong());
            JsonNode forwarded = laptop.await(112);
            assertEquals(alice, forwarded.get("id").asLong(), forwarded.toString());
            assertEquals(mid, forwarded.get("mid").asLong(), forwarded.toString());
        }
    }

    private static ChatUser user() throws IOException {
        return ChatUser.register(cluster.nginxAddress(), "cs" + NAMES.incrementAndGet());
    }
}
