package muchat.e2e;

import static muchat.e2e.WireClient.hasType;
import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.ADD_FRIEND;
import static muchat.protocol.MsgType.FRIEND_REPLY;
import static muchat.protocol.MsgType.FRIEND_REQUEST;
import static muchat.protocol.MsgType.ONE_CHAT;
import static muchat.protocol.MsgType.PRESENCE;
import static muchat.protocol.MsgType.READ;
import static muchat.protocol.MsgType.TYPING;
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

            assertTrue(x.call(ADD_FRIEND, obj("friendid", y.id()), ADD_FRIEND).get("pending").asBoolean());
            JsonNode request = y.awaitFrame(FRIEND_REQUEST);
            assertEquals(x.id(), request.get("id").asLong());
            y.send(FRIEND_REPLY, obj("friendid", x.id(), "accept", true));
            assertEquals(0, y.awaitFrame(FRIEND_REPLY).get("errno").asInt());
            JsonNode reply = x.awaitFrame(f -> hasType(f, FRIEND_REPLY) && f.has("seq"));
            assertEquals(y.id(), reply.get("id").asLong());
            assertTrue(reply.get("accept").asBoolean());

            x.send(TYPING, obj("toid", y.id()));
            assertEquals(x.id(), y.awaitFrame(TYPING).get("id").asLong(), "typing from instance a reaches b");
            stranger.send(TYPING, obj("toid", y.id()));

            y.close();
            JsonNode offline = x.awaitFrame(PRESENCE);
            assertEquals(y.id(), offline.get("id").asLong());
            assertEquals("offline", offline.get("state").asText());
            y.loginAt(cluster.address("b"));
            JsonNode online = x.awaitFrame(PRESENCE);
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

            bob.send(ADD_FRIEND, obj("friendid", alice));
            bob.await(ADD_FRIEND);
            assertEquals(bobId, phone.await(FRIEND_REQUEST).get("id").asLong(), "the device on bob's instance");
            assertEquals(bobId, laptop.await(FRIEND_REQUEST).get("id").asLong(), "the device on the other instance");
            laptop.send(FRIEND_REPLY, obj("friendid", bobId, "accept", true));
            laptop.await(FRIEND_REPLY);
            bob.await(f -> hasType(f, FRIEND_REPLY) && f.has("seq"), "the reply");

            bob.send(TYPING, obj("toid", alice));
            assertEquals(bobId, phone.await(TYPING).get("id").asLong());
            assertEquals(bobId, laptop.await(TYPING).get("id").asLong());

            bob.send(ONE_CHAT, obj("toid", alice, "msg", "read me", "cmid", "r1"));
            long mid = phone.await(ONE_CHAT).get("mid").asLong();
            laptop.await(ONE_CHAT);
            phone.send(READ, obj("peer", bobId, "mid", mid));
            assertEquals(alice, bob.await(READ).get("id").asLong());
            JsonNode forwarded = laptop.await(READ);
            assertEquals(alice, forwarded.get("id").asLong(), forwarded.toString());
            assertEquals(mid, forwarded.get("mid").asLong(), forwarded.toString());
        }
    }

    private static ChatUser user() throws IOException {
        return ChatUser.register(cluster.nginxAddress(), "cs" + NAMES.incrementAndGet());
    }
}
