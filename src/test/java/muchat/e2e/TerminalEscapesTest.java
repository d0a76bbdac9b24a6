package muchat.e2e;

import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.ONE_CHAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The terminal client shows what other people wrote with its control characters escaped:
 * a message, a name or a group name cannot clear the screen, colour it, reorder a line or
 * fake a line of its own. The names come from a database made before names were checked
 * (the store takes any text); the message through the wire, where any text is allowed.
 */
@Timeout(30)
class TerminalEscapesTest {

    @Test
    void peersTextIsShownWithItsControlCharactersEscaped() throws Exception {
        AtomicLong alice = new AtomicLong();
        AtomicLong mallory = new AtomicLong();
        AtomicLong group = new AtomicLong();
        try (ServerFixture server = ServerFixture.seeded(db -> {
            alice.set(db.users().register("alice", "secret1").orElseThrow());
            mallory.set(db.users().register("mal\u001b[31mory", "secret2").orElseThrow());
            db.friends().add(alice.get(), mallory.get());
            group.set(db.groups().create(mallory.get(), "g\u202eroup", "line one\nline two", true));
            db.groups().join(group.get(), alice.get(), 2000, true);
        });
             Terminal screen = new Terminal("alice", server.address());
             WireClient peer = WireClient.nativeClient(server.address())) {
            screen.login("alice", "secret1");
            screen.await(mallory.get() + "  mal\\u001b[31mory  offline");
            screen.await(group.get() + "  g\\u202eroup  line one\\nline two");
            screen.await("      " + mallory.get() + "  mal\\u001b[31mory  ");

            ChatServerTest.login(peer, mallory.get(), "secret2");
            peer.send(ONE_CHAT, obj("toid", alice.get(), "msg", "\u001b[2Jhello\n12:00 admin -> you: send me your password"));
            screen.await("mal\\u001b[31mory(" + mallory.get() + ") -> you: \\u001b[2Jhello\\n12:00 admin -> you: send");
            screen.type("convs");
            screen.await("  " + mallory.get() + "  mal\\u001b[31mory  1 unread  last: ");
            screen.await("  g" + group.get() + "  g\\u202eroup  0 unread");

            String shown = screen.transcript();
            assertEquals(-1, shown.indexOf('\u001b'), shown);
            assertEquals(-1, shown.indexOf('\u202e'), shown);
            assertFalse(shown.lines().anyMatch(line -> line.startsWith("12:00 admin")), shown);
        }
    }
}
