package muchat.e2e;

import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.ADD_FRIEND;
import static muchat.protocol.MsgType.ADD_GROUP;
import static muchat.protocol.MsgType.CONVERSATIONS;
import static muchat.protocol.MsgType.CONVERSATIONS_ACK;
import static muchat.protocol.MsgType.CREATE_GROUP;
import static muchat.protocol.MsgType.GROUP_CHAT;
import static muchat.protocol.MsgType.HEARTBEAT;
import static muchat.protocol.MsgType.HEARTBEAT_ACK;
import static muchat.protocol.MsgType.KICKED;
import static muchat.protocol.MsgType.ONE_CHAT;
import static muchat.protocol.MsgType.READ;
import static muchat.protocol.MsgType.RECALL;
import static muchat.protocol.MsgType.SEND_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import muchat.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three real instances (a, b, c) on a private MariaDB and Redis, nginx in front: users
 * held by different instances chat as if there were one server (docs/protocol.md sections 3-5).
 * Clients connect to an instance directly to choose who is held where, or through nginx.
 */
class ClusterChatTest {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static ClusterFixture cluster;

    @BeforeAll
    static void startCluster() throws IOException {
        cluster = new ClusterFixture("cchat", 3, "--open-friends", "yes");
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void usersOnTwoInstancesChatOneToOneBothWays() throws IOException {
        try (ChatUser x = user(); ChatUser y = user()) {
            x.loginAt(cluster.address("a"));
            y.loginAt(cluster.address("b"));
            for (int round = 1; round <= 3; round++) {
                assertDelivered(x, y, round, x.chat(y.id(), "x to y " + round));
                assertDelivered(y, x, round, y.chat(x.id(), "y to x " + round));
            }
        }
    }

    @Test
    void groupChatReachesMembersOnThreeInstancesAndNeverTheSender() throws IOException {
        try (ChatUser x = user(); ChatUser y = user(); ChatUser z = user()) {
            x.loginAt(cluster.address("a"));
            y.loginAt(cluster.address("b"));
            z.loginAt(cluster.address("c"));
            JsonNode created = x.call(CREATE_GROUP, obj("groupname", "ring", "groupdesc", "across instances"),
                    CREATE_GROUP);
            assertEquals(0, created.get("errno").asInt(), created.toString());
            long gid = created.get("groupid").asLong();
            assertEquals(0, y.call(ADD_GROUP, obj("groupid", gid), ADD_GROUP).get("errno").asInt());
            assertEquals(0, z.call(ADD_GROUP, obj("groupid", gid), ADD_GROUP).get("errno").asInt());

            List<ChatUser> members = List.of(x, y, z);
            for (ChatUser from : members) {
                String cmid = from.groupChat(gid, "from " + from.name());
                long mid = from.awaitOutcome(cmid).get("mid").asLong();
                for (ChatUser to : members) {
                    if (to != from) {
                        to.awaitPushes(to.pushes().size() + 1);
                        ChatUser.Push push = to.pushes().get(to.pushes().size() - 1);
                        assertEquals(GROUP_CHAT, push.type());
                        assertEquals(mid, push.mid());
                        assertEquals(from.id(), push.from());
                        assertEquals(to.pushes().size(), push.seq(), "each member's own seq, without gaps");
                    }
                }
            }
            for (ChatUser member : members) {
                assertEquals(2, member.sync(), "user " + member.name() + " got exactly the two others' messages");
                assertEquals(2, member.pushes().size());
            }
        }
    }

    @Test
    void aLoginOnInstanceBKicksTheSessionOnInstanceA() throws IOException {
        try (ChatUser first = user(); ChatUser peer = user()) {
            first.loginAt(cluster.address("a"));
            peer.loginAt(cluster.address("c"));
            try (ChatUser second = first.sameAccount()) {
                second.loginAt(cluster.address("b"));
                assertTrue(first.awaitFrame(KICKED).get("errmsg").asText().length() > 0);
                assertTrue(first.closedByServer(), "the kicked connection is closed");
                second.call(HEARTBEAT, obj(), HEARTBEAT_ACK);
                assertDelivered(peer, second, 1, peer.chat(second.id(), "to wherever you are now"));
            }
        }
    }

    /**
     * Hundreds of simultaneous LOGIN pairs of one user, across instances a and b and on
     * one of them, both framings: exactly one session survives each race, and a later
     * login on the other instance kicks it (see {@link LoginRace}).
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void ofTwoSimultaneousLoginsAnywhereExactlyOneSurvives() throws IOException {
        InetSocketAddress a = cluster.address("a");
        InetSocketAddress b = cluster.address("b");
        try (LoginRace race = new LoginRace("crace", a)) {
            for (int round = 0; round < 240; round++) {
                // Instances a-b, b-a, a-a, b-b; framings as in LoginRaceTest, changing every fourth round.
                InetSocketAddress first = (round & 1) == 0 ? a : b;
                InetSocketAddress second = (round & 3) == 0 || (round & 3) == 3 ? b : a;
                boolean legacyFirst = (round & 4) != 0;
                boolean legacySecond = (round & 8) != 0;
                race.race(round, new LoginRace.Racer(first, legacyFirst), new LoginRace.Racer(second, legacySecond),
                        round % 3 == 0 ? a : b);
            }
        }
    }

    @Test
    void devicesOfOneUserOnTwoInstancesBothGetPushesAndALoginOfTheSameDeviceElsewhereKicksIt() throws IOException {
        try (WireClient phone = WireClient.nativeClient(cluster.address("a"));
             WireClient laptop = WireClient.nativeClient(cluster.address("b"));
             WireClient bob = WireClient.nativeClient(cluster.address("c"));
             WireClient newPhone = WireClient.nativeClient(cluster.address("b"))) {
            long alice = ChatServerTest.register(bob, "cc" + NAMES.incrementAndGet(), ChatUser.PASSWORD);
            long bobId = ChatServerTest.register(bob, "cc" + NAMES.incrementAndGet(), ChatUser.PASSWORD);
            // The phone is the default device, so only the laptop's claim can tell instance a
            // that the user's messages now have another device to go to.
            ChatServerTest.login(phone, alice, ChatUser.PASSWORD);
            ChatServerTest.login(laptop, alice, ChatUser.PASSWORD, "laptop");
            ChatServerTest.login(bob, bobId, ChatUser.PASSWORD);

            bob.send(ONE_CHAT, obj("toid", alice, "msg", "to both", "cmid", "b1"));
            assertEquals("to both", phone.await(ONE_CHAT).get("msg").asText(), "the device on instance a");
            assertEquals("to both", laptop.await(ONE_CHAT).get("msg").asText(), "the device on instance b");

            phone.send(ONE_CHAT, obj("toid", bobId, "msg", "from the phone", "cmid", "p1"));
            JsonNode copy = laptop.await(ONE_CHAT);
            assertEquals("from the phone", copy.get("msg").asText(), "the laptop shows what the phone sent");
            assertEquals(alice, copy.get("id").asLong());

            ChatServerTest.login(newPhone, alice, ChatUser.PASSWORD);
            assertTrue(phone.closedByServer(), "the phone on instance a is closed");
            assertTrue(phone.hasUnclaimed(KICKED), "after KICKED: " + phone.unclaimedText());
            bob.send(ONE_CHAT, obj("toid", alice, "msg", "still here?", "cmid", "b2"));
            assertEquals("still here?", laptop.await(ONE_CHAT).get("msg").asText(), "the laptop was not kicked");
            newPhone.await(f -> "still here?".equals(f.path("msg").asText()), "the push to the new phone");
        }
    }

    @Test
    void friendStateInLoginAckFollowsAUserOnAnotherInstance() throws IOException {
        try (ChatUser x = user(); ChatUser y = user()) {
            x.loginAt(cluster.address("a"));
            assertEquals(0, x.call(ADD_FRIEND, obj("friendid", y.id()), ADD_FRIEND).get("errno").asInt());
            JsonNode friend = y.loginAt(cluster.address("b")).get("friends").get(0);
            assertEquals(x.id(), friend.get("id").asLong());
            assertEquals("online", friend.get("state").asText());

            x.close();
            Await.holdsWithin(Duration.ofSeconds(5), () -> friendStateAtLogin(y).equals("offline"));
            assertEquals("offline", friendStateAtLogin(y),
                    "a disconnect on instance a is seen on instance b within seconds");
        }
    }

    @Test
    void clientsThroughNginxChatBothWays() throws IOException {
        try (ChatUser x = user(); ChatUser y = user()) {
            x.loginAt(cluster.nginxAddress());
            y.loginAt(cluster.nginxAddress());
            assertDelivered(x, y, 1, x.chat(y.id(), "via nginx"));
            assertDelivered(y, x, 1, y.chat(x.id(), "and back"));
        }
    }

    /** {@code from} gets SEND_ACK for {@code cmid}, and {@code to} its push as seq {@code seq}. */
    private static void assertDelivered(ChatUser from, ChatUser to, long seq, String cmid) throws IOException {
        JsonNode ack = from.awaitOutcome(cmid);
        assertEquals(SEND_ACK.code(), ack.get("msgid").asInt(), "SEND_ACK, not " + ack);
        to.awaitPushes(to.pushes().size() + 1);
        ChatUser.Push push = to.pushes().get(to.pushes().size() - 1);
        assertEquals(seq, push.seq());
        assertEquals(ack.get("mid").asLong(), push.mid());
        assertEquals(from.id(), push.from());
        assertEquals(ONE_CHAT, push.type());
    }

    @Test
    void aReadReceiptAndARecallCrossInstances() throws IOException {
        try (ChatUser x = user(); ChatUser y = user()) {
            x.loginAt(cluster.address("a"));
            y.loginAt(cluster.address("b"));
            long mid = x.awaitOutcome(x.chat(y.id(), "read me, then forget me")).get("mid").asLong();
            y.awaitPushes(1);

            y.send(READ, obj("peer", x.id(), "mid", mid));
            JsonNode receipt = x.awaitFrame(READ);
            assertEquals(y.id(), receipt.get("id").asLong());
            assertEquals(mid, receipt.get("mid").asLong());

            x.send(RECALL, obj("mid", mid));
            JsonNode recall = y.awaitFrame(RECALL);
            assertEquals(mid, recall.get("mid").asLong());
            assertEquals(x.id(), recall.get("id").asLong());
            assertEquals(y.id(), recall.get("toid").asLong());
            JsonNode conv = y.call(CONVERSATIONS, obj(), CONVERSATIONS_ACK).get("convs").get(0);
            assertEquals(0, conv.get("unread").asLong());
            assertTrue(conv.get("last").get("recalled").asBoolean());
        }
    }

    /** Logs {@code user} in again at instance b and returns the state its LOGIN_ACK gives its first friend. */
    private static String friendStateAtLogin(ChatUser user) throws IOException {
        return user.loginAt(cluster.address("b")).get("friends").get(0).get("state").asText();
    }

    private static ChatUser user() throws IOException {
        return ChatUser.register(cluster.nginxAddress(), "cc" + NAMES.incrementAndGet());
    }
}
