package muchat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real terminal client against the real server, typed into as a person would: what
 * each person sees on screen, including across a server restart.
 */
@Timeout(30)
class ChatClientEndToEndTest {
    private static final String TIME = "\\[\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\]";

    @Test
    void aMessageMissedWhileAwayIsShownOnceAfterTheClientReconnectsByItself() throws Exception {
        ServerFixture server = new ServerFixture();
        try (Gate bobsLine = new Gate(server.address());
             Terminal alice = new Terminal("alice", server.address());
             Terminal bob = new Terminal("bob", bobsLine.address())) {
            long aliceId = alice.register("alice", "secret1");
            long bobId = alice.register("bob", "secret2");
            alice.login("alice", "secret1");
            bob.login("bob", "secret2");

            alice.type("chat:" + bobId + ":m1");
            alice.await(Pattern.compile("\\(sent \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}, mid \\d+\\)"));
            bob.await(Pattern.compile(TIME + " alice\\(" + aliceId + "\\) -> you: m1"));

            bobsLine.shut();
            bob.await("connection lost; reconnecting");
            server.close();
            server = server.restart();
            alice.await("reconnected as alice");
            alice.type("chat:" + bobId + ":m2");
            alice.await("(sent ");
            assertEquals(0, bob.count("reconnected as bob"), "bob stayed away while m2 was sent");

            bobsLine.open();
            bob.await("reconnected as bob");
            bob.await(Pattern.compile(TIME + " alice\\(" + aliceId + "\\) -> you: m2"));
            bob.await("-- 1 waiting message(s) above --");
            alice.type("chat:" + bobId + ":m3");
            bob.await("-> you: m3"); // pushes come in seq order: nothing older can follow this one

            assertEquals(1, bob.count("-> you: m1"), bob.transcript());
            assertEquals(1, bob.count("-> you: m2"), bob.transcript());
        } finally {
            server.close();
        }
    }

    @Test
    void friendsAndGroupsThroughTheClientCommands() throws Exception {
        try (ServerFixture server = new ServerFixture("--open-friends", "yes");
             Terminal alice = new Terminal("alice", server.address());
             Terminal bob = new Terminal("bob", server.address())) {
            alice.register("alice", "secret1");
            long bobId = alice.register("bob", "secret2");
            alice.login("alice", "secret1");
            bob.login("bob", "secret2");

            alice.type("addfriend:" + bobId);
            alice.await("friend added");
            alice.type("creategroup:team:the whole team");
            long groupId = Long.parseLong(alice.await(Pattern.compile("group created: its id is (\\d+)")).group(1));
            bob.type("addgroup:" + groupId);
            bob.await("joined the group");
            alice.type("groupchat:" + groupId + ":hello team");
            alice.await("(sent ");
            bob.await(Pattern.compile(TIME + " alice\\(\\d+\\) -> group " + groupId + ": hello team"));
            bob.type("addgroup:" + (groupId + 1000));
            bob.await("error 15:");

            alice.type("loginout");
            alice.login("alice", "secret1");
            alice.await(bobId + "  bob  online");
            alice.await(groupId + "  team  the whole team");
            alice.await(Pattern.compile(bobId + "  bob  online  normal"));
        }
    }

    @Test
    void twoDevicesOfOneUserShowTheWholeConversationAndTheSenderShowsItsLineOnce() throws Exception {
        try (ServerFixture server = new ServerFixture();
             Terminal phone = new Terminal("alice-phone", server.address(), "phone");
             Terminal laptop = new Terminal("alice-laptop", server.address(), "laptop");
             Terminal bob = new Terminal("bob", server.address())) {
            long aliceId = phone.register("alice", "secret1");
            long bobId = phone.register("bob", "secret2");
            phone.login("alice", "secret1");
            laptop.login("alice", "secret1");
            bob.login("bob", "secret2");

            phone.type("chat:" + bobId + ":from the phone");
            phone.await("(sent ");
            laptop.await(Pattern.compile(TIME + " you -> user " + bobId + ": from the phone"));
            bob.await(Pattern.compile(TIME + " alice\\(" + aliceId + "\\) -> you: from the phone"));
            bob.type("chat:" + aliceId + ":hello both");
            phone.await("-> you: hello both");
            laptop.await("-> you: hello both");
            assertEquals(0, phone.count(": from the phone"), "the phone showed no copy of its own line: "
                    + phone.transcript());
            phone.type("read:" + bobId);
            laptop.await("(read) you have read user " + bobId + " up to mid ");
        }
    }

    @Test
    void friendRequestsPresenceAndTypingThroughTheClientCommands() throws Exception {
        try (ServerFixture server = new ServerFixture();
             Terminal alice = new Terminal("alice", server.address());
             Terminal bob = new Terminal("bob", server.address())) {
            long aliceId = alice.register("alice", "secret1");
            long bobId = alice.register("bob", "secret2");
            alice.login("alice", "secret1");
            bob.login("bob", "secret2");

            alice.type("addfriend:" + bobId);
            alice.await("friend request sent");
            bob.await(Pattern.compile(TIME + " alice\\(" + aliceId + "\\) asks to be your friend"));
            bob.type("requests");
            bob.await(aliceId + "  alice");
            bob.type("accept:" + aliceId);
            bob.await("done: the friend request is answered");
            alice.await(Pattern.compile(TIME + " bob\\(" + bobId + "\\) accepted your friend request"));
            bob.type("requests");
            bob.await("friend requests: none");

            bob.type("typing:" + aliceId);
            alice.await("bob(" + bobId + ") is typing");
            bob.type("loginout");
            alice.await("bob(" + bobId + ") is offline");
            bob.login("bob", "secret2");
            alice.await("bob(" + bobId + ") is online");
        }
    }

    @Test
    void aWrongPasswordShowsAClearErrorAndTheMenuAgain() throws Exception {
        try (ServerFixture server = new ServerFixture();
             Terminal carol = new Terminal("carol", server.address())) {
            carol.register("carol", "secret3");
            carol.type("1", "carol", "not-her-password");
            carol.await("error 1: wrong id or password");
            carol.await("1. login");
            carol.login("carol", "secret3");
        }
    }
}
