package muchat.e2e;

import static muchat.e2e.ChatServerTest.login;
import static muchat.e2e.ChatServerTest.register;
import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.ADD_GROUP;
import static muchat.protocol.MsgType.CREATE_GROUP;
import static muchat.protocol.MsgType.ERROR;
import static muchat.protocol.MsgType.GROUP_CHAT;
import static muchat.protocol.MsgType.GROUP_DECIDE;
import static muchat.protocol.MsgType.GROUP_REQUESTS;
import static muchat.protocol.MsgType.HEARTBEAT;
import static muchat.protocol.MsgType.HEARTBEAT_ACK;
import static muchat.protocol.MsgType.HISTORY;
import static muchat.protocol.MsgType.HISTORY_ACK;
import static muchat.protocol.MsgType.LOGIN;
import static muchat.protocol.MsgType.LOGINOUT;
import static muchat.protocol.MsgType.LOGIN_ACK;
import static muchat.protocol.MsgType.REG;
import static muchat.protocol.MsgType.REG_ACK;
import static muchat.protocol.MsgType.SEND_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Closed groups over real sockets: joining asks the creator, who lists and decides the
 * requests (GROUP_REQUESTS, GROUP_DECIDE); a member's history of a closed group starts at joining; no group
 * takes more members than {@code --max-group-members}; classic clients make open groups;
 * the terminal client drives it all with its commands.
 */
class ClosedGroupTest {
    private static final int MAX_MEMBERS = 5;
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static ServerFixture server;

    /** A logged-in native user. */
    private record User(WireClient client, long id, String name) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            client.close();
        }
    }

    @BeforeAll
    static void startServer() throws IOException {
        server = new ServerFixture("--max-group-members", String.valueOf(MAX_MEMBERS),
                "--max-registrations-per-address", "0");
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void joiningAClosedGroupWaitsForTheCreatorWhoApprovesAndThenTheMemberChats() throws IOException {
        try (User creator = user(); User joiner = user()) {
            long group = createGroup(creator, false);

            joiner.client().send(ADD_GROUP, obj("groupid", group));
            JsonNode asked = joiner.client().await(ADD_GROUP);
            assertEquals(0, asked.get("errno").asInt());
            assertTrue(asked.get("pending").asBoolean(), asked.toString());
            joiner.client().send(GROUP_CHAT, obj("groupid", group, "msg", "am I in?", "cmid", "early"));
            assertEquals(16, joiner.client().await(ERROR).get("errno").asInt(), "not a member yet");

            JsonNode requests = requests(creator, group);
            assertEquals(0, requests.get("errno").asInt());
            assertEquals(1, requests.get("requests").size());
            assertEquals(joiner.id(), requests.get("requests").get(0).get("id").asLong());
            assertEquals(joiner.name(), requests.get("requests").get(0).get("name").asText());

            assertEquals(0, decide(creator, group, joiner.id(), true).get("errno").asInt());
            assertEquals(0, requests(creator, group).get("requests").size());

            joiner.client().send(GROUP_CHAT, obj("groupid", group, "msg", "hello, I am in", "cmid", "in"));
            joiner.client().await(SEND_ACK);
            assertEquals("hello, I am in", creator.client().await(GROUP_CHAT).get("msg").asText());
            creator.client().send(GROUP_CHAT, obj("groupid", group, "msg", "welcome", "cmid", "w"));
            assertEquals("welcome", joiner.client().await(GROUP_CHAT).get("msg").asText());
        }
    }

    @Test
    void aRejectedUserIsNotAMember() throws IOException {
        try (User creator = user(); User joiner = user()) {
            long group = createGroup(creator, false);
            joiner.client().send(ADD_GROUP, obj("groupid", group));
            assertTrue(joiner.client().await(ADD_GROUP).get("pending").asBoolean());

            assertEquals(0, decide(creator, group, joiner.id(), false).get("errno").asInt());

            assertEquals(0, requests(creator, group).get("requests").size());
            joiner.client().send(GROUP_CHAT, obj("groupid", group, "msg", "let me in", "cmid", "x"));
            assertEquals(16, joiner.client().await(ERROR).get("errno").asInt());
            joiner.client().send(HISTORY, obj("groupid", group));
            assertEquals(16, joiner.client().await(HISTORY_ACK).get("errno").asInt());
            assertEquals(15, decide(creator, group, joiner.id(), true).get("errno").asInt(), "nothing left to decide");
        }
    }

    @Test
    void onlyTheCreatorListsAndDecidesRequests() throws IOException {
        try (User creator = user(); User joiner = user(); User other = user()) {
            long group = createGroup(creator, false);
            joiner.client().send(ADD_GROUP, obj("groupid", group));
            joiner.client().await(ADD_GROUP);

            assertEquals(16, requests(other, group).get("errno").asInt());
            JsonNode refused = decide(other, group, joiner.id(), true);
            assertEquals(16, refused.get("errno").asInt());
            assertTrue(refused.get("errmsg").asText().contains("creator"), refused.toString());
            assertEquals(16, decide(joiner, group, joiner.id(), true).get("errno").asInt(), "not their own either");
            assertEquals(15, requests(creator, 987_654_321L).get("errno").asInt());
            assertEquals(15, decide(creator, group, other.id(), true).get("errno").asInt(), "other never asked");
            assertEquals(1, requests(creator, group).get("requests").size(), "the request still waits");
        }
    }

    @Test
    void historyOfAClosedGroupStartsAtJoiningWhileAnOpenGroupShowsEverything() throws IOException {
        try (User creator = user(); User joiner = user()) {
            long open = createGroup(creator, true);
            long closed = createGroup(creator, false);
            chat(creator, open, "open, before");
            chat(creator, closed, "closed, before");

            joiner.client().send(ADD_GROUP, obj("groupid", open));
            assertFalse(joiner.client().await(ADD_GROUP).has("pending"), "an open group takes the joiner at once");
            joiner.client().send(ADD_GROUP, obj("groupid", closed));
            joiner.client().await(ADD_GROUP);
            decide(creator, closed, joiner.id(), true);
            chat(creator, closed, "closed, after");

            JsonNode push = joiner.client().await(GROUP_CHAT);
            assertEquals("closed, after", push.get("msg").asText());
            assertEquals(1, push.get("seq").asLong(), "nothing from before joining reached the inbox");
            assertEquals(List.of("closed, after"), history(joiner, closed));
            assertEquals(List.of("closed, after", "closed, before"), history(creator, closed));
            assertEquals(List.of("open, before"), history(joiner, open));
        }
    }

    @Test
    void aFullGroupRefusesTheNextJoinerAndTheCreatorsApproval() throws IOException {
        List<User> users = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_MEMBERS + 2; i++) {
                users.add(user());
            }
            User creator = users.get(0);
            long open = createGroup(creator, true);
            long closed = createGroup(creator, false);
            for (int i = 1; i < MAX_MEMBERS; i++) {
                assertEquals(0, join(users.get(i), open).get("errno").asInt());
                join(users.get(i), closed);
                assertEquals(0, decide(creator, closed, users.get(i).id(), true).get("errno").asInt());
            }
            User late = users.get(MAX_MEMBERS);

            JsonNode full = join(late, open);
            assertEquals(16, full.get("errno").asInt());
            assertEquals("group " + open + " is full", full.get("errmsg").asText());
            assertEquals(16, join(late, closed).get("errno").asInt(), "no request into a full group");
            assertEquals(0, requests(creator, closed).get("requests").size());
        } finally {
            for (User u : users) {
                u.close();
            }
        }
    }

    @Test
    void concurrentJoinsFillAGroupExactlyToItsLimit() throws Exception {
        int joiners = 4 * MAX_MEMBERS;
        List<User> users = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(joiners);
        try {
            User creator = user();
            users.add(creator);
            for (int i = 0; i < joiners; i++) {
                users.add(user());
            }
            long group = createGroup(creator, true);
            CyclicBarrier start = new CyclicBarrier(joiners);
            List<Future<Integer>> errnos = new ArrayList<>();
            for (User u : users.subList(1, users.size())) {
                errnos.add(pool.submit(() -> {
                    start.await();
                    return join(u, group).get("errno").asInt();
                }));
            }
            List<Integer> outcomes = new ArrayList<>();
            for (Future<Integer> errno : errnos) {
                outcomes.add(errno.get(20, TimeUnit.SECONDS));
            }

            assertEquals(MAX_MEMBERS - 1, outcomes.stream().filter(e -> e == 0).count(), outcomes.toString());
            assertEquals(joiners - (MAX_MEMBERS - 1), outcomes.stream().filter(e -> e == 16).count());
            creator.client().send(LOGINOUT, obj());
            JsonNode relogin = login(creator.client(), creator.id(), ChatUser.PASSWORD);
            assertEquals(MAX_MEMBERS, relogin.get("groups").get(0).get("users").size());
        } finally {
            pool.shutdownNow();
            for (User u : users) {
                u.close();
            }
        }
    }

    @Test
    void aClassicClientMakesOpenGroupsAndIsToldWhenAGroupIsClosed() throws Exception {
        try (User owner = user(); User joiner = user()) {
            long classicId;
            try (ClassicClient classic = new ClassicClient(server.address())) {
                classic.send(REG, obj("name", uniqueName(), "password", ChatUser.PASSWORD));
                classicId = classic.next(REG_ACK).get("id").asLong();
                classic.send(LOGIN, obj("id", classicId, "password", ChatUser.PASSWORD));
                classic.next(LOGIN_ACK);
                classic.send(CREATE_GROUP, obj("groupname", "classic club", "groupdesc", "", "open", false));
                classic.send(HEARTBEAT, obj());
                classic.next(HEARTBEAT_ACK); // and no reply to CREATE_GROUP before it, as from the classic server
            }
            try (ClassicClient classic = new ClassicClient(server.address())) {
                classic.send(LOGIN, obj("id", classicId, "password", ChatUser.PASSWORD));
                JsonNode made = WireClient.JSON.readTree(classic.next(LOGIN_ACK).get("groups").get(0).asText());
                JsonNode joined = join(joiner, made.get("id").asLong());
                assertEquals(0, joined.get("errno").asInt());
                assertFalse(joined.has("pending"), "a classic client's group is open: " + joined);

                long closed = createGroup(owner, false);
                classic.send(ADD_GROUP, obj("groupid", closed));
                JsonNode refused = classic.next(ADD_GROUP);
                assertEquals(16, refused.get("errno").asInt());
                assertTrue(refused.get("errmsg").asText().contains("closed"), refused.toString());
                assertEquals(0, requests(owner, closed).get("requests").size(), "a classic client cannot ask");
                classic.send(GROUP_REQUESTS, obj("groupid", closed));
                JsonNode unknown = classic.next(ERROR);
                assertEquals(12, unknown.get("errno").asInt(), "GROUP_REQUESTS does not exist for a classic client");
            }
        }
    }

    @Test
    void aPrivateGroupThroughTheTerminalClientsCommands() throws Exception {
        String owner = uniqueName();
        String guest = uniqueName();
        try (Terminal alice = new Terminal("alice", server.address());
             Terminal bob = new Terminal("bob", server.address())) {
            alice.register(owner, ChatUser.PASSWORD);
            long bobId = alice.register(guest, ChatUser.PASSWORD);
            alice.login(owner, ChatUser.PASSWORD);
            bob.login(guest, ChatUser.PASSWORD);

            alice.type("createprivate:club:members only");
            long group = Long.parseLong(alice.await(Pattern.compile("group created: its id is (\\d+)")).group(1));
            bob.type("addgroup:" + group);
            bob.await("asked to join: the group is private, its creator decides");
            alice.type("requests:" + group);
            alice.await("join requests:");
            alice.await("  " + bobId + "  " + guest);
            alice.type("approve:" + group + ":" + bobId);
            alice.await("done: the request is settled");
            bob.type("groupchat:" + group + ":thanks");
            bob.await("(sent ");
            alice.await("-> group " + group + ": thanks");
            bob.type("reject:" + group + ":" + bobId);
            bob.await("error 16: only the creator of group " + group + " decides who joins it");
        }
    }

    // ---- helpers

    private static User user() throws IOException {
        WireClient c = WireClient.nativeClient(server.address());
        String name = uniqueName();
        long id = register(c, name, ChatUser.PASSWORD);
        login(c, id, ChatUser.PASSWORD);
        return new User(c, id, name);
    }

    private static String uniqueName() {
        return "closed" + NAMES.incrementAndGet();
    }

    private static long createGroup(User creator, boolean open) throws IOException {
        creator.client().send(CREATE_GROUP, obj("groupname", open ? "open" : "closed", "groupdesc", "", "open", open));
        JsonNode created = creator.client().await(CREATE_GROUP);
        assertEquals(0, created.get("errno").asInt(), created.toString());
        return created.get("groupid").asLong();
    }

    private static JsonNode join(User u, long group) throws IOException {
        u.client().send(ADD_GROUP, obj("groupid", group));
        return u.client().await(ADD_GROUP);
    }

    private static JsonNode requests(User u, long group) throws IOException {
        u.client().send(GROUP_REQUESTS, obj("groupid", group));
        return u.client().await(GROUP_REQUESTS);
    }

    private static JsonNode decide(User u, long group, long userid, boolean accept) throws IOException {
        u.client().send(GROUP_DECIDE, obj("groupid", group, "userid", userid, "accept", accept));
        return u.client().await(GROUP_DECIDE);
    }

    private static void chat(User u, long group, String msg) throws IOException {
        u.client().send(GROUP_CHAT, obj("groupid", group, "msg", msg, "cmid", msg));
        u.client().await(SEND_ACK);
    }

    /** The group's history as {@code u} reads it, newest first. */
    private static List<String> history(User u, long group) throws IOException {
        u.client().send(HISTORY, obj("groupid", group));
        JsonNode ack = u.client().await(HISTORY_ACK);
        assertEquals(0, ack.get("errno").asInt(), ack.toString());
        List<String> texts = new ArrayList<>();
        ack.get("messages").forEach(m -> texts.add(m.get("msg").asText()));
        return texts;
    }
}
