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
 * Friend requests, PRESENCE and TYPING between users held by two instances of a real
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

    private static ChatUser user() throws IOException {
        return ChatUser.register(cluster.nginxAddress(), "cs" + NAMES.incrementAndGet());
    }
}
