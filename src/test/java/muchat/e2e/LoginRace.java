package muchat.e2e;

import static muchat.e2e.WireClient.hasType;
import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.ERROR;
import static muchat.protocol.MsgType.HISTORY;
import static muchat.protocol.MsgType.HISTORY_ACK;
import static muchat.protocol.MsgType.KICKED;
import static muchat.protocol.MsgType.LOGIN;
import static muchat.protocol.MsgType.LOGINOUT;
import static muchat.protocol.MsgType.ONE_CHAT;
import static muchat.protocol.MsgType.SEND_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Two LOGINs of one user sent at the same moment, and what a user would notice
 * afterwards (docs/protocol.md section 6.2): exactly one session survives, the other gets
 * KICKED (native) and is closed, or is just closed (legacy). The survivor can chat and is
 * the one pushes reach, and a later login kicks it. Each race uses a fresh user. A classic
 * connection is the device {@code legacy}: in a race with one, the native logins name
 * that device, so that every login of a race is for the same (user, device).
 *
 * <p>Threads: one test thread.
 */
final class LoginRace implements AutoCloseable {
    private static final String PASSWORD = "secret1";
    /** How long the loser may take to be closed; the old ghost never was. */
    private static final long KICK_WAIT_MILLIS = 5_000;
    /** How long one look at a connection lasts while waiting for either to close. */
    private static final long POLL_MILLIS = 2;

    /** Where a racing client connects, and in which framing. */
    record Racer(InetSocketAddress at, boolean legacy) {
    }

    private final String prefix;
    private final WireClient registrar;
    private final WireClient peer;
    private final long peerId;
    private int chats;

    /** Registers and logs in a peer at {@code home}, which chats with every race's survivor. */
    LoginRace(String prefix, InetSocketAddress home) throws IOException {
        this.prefix = prefix;
        this.registrar = WireClient.nativeClient(home);
        this.peer = WireClient.nativeClient(home);
        this.peerId = ChatServerTest.register(registrar, prefix + "-peer", PASSWORD);
        ChatServerTest.login(peer, peerId, PASSWORD);
    }

    /**
     * Races {@code first} and {@code second} logging in as a fresh user, checks that
     * exactly one survives, then logs in at {@code later} and checks the survivor is kicked.
     */
    void race(int round, Racer first, Racer second, InetSocketAddress later) throws IOException {
        long uid = ChatServerTest.register(registrar, prefix + "-" + round, PASSWORD);
        String what = "round " + round + " (" + first + " vs " + second + ") user " + uid;
        String device = first.legacy() || second.legacy() ? "legacy" : "default";
        try (WireClient a = connect(first); WireClient b = connect(second)) {
            a.send(LOGIN, obj("id", uid, "password", PASSWORD, "device", device));
            b.send(LOGIN, obj("id", uid, "password", PASSWORD, "device", device));

            boolean aLost = awaitOneClosed(a, b, what);
            WireClient loser = aLost ? a : b;
            Racer loserKind = aLost ? first : second;
            WireClient survivor = aLost ? b : a;
            Racer survivorKind = aLost ? second : first;
            if (!loserKind.legacy()) {
                assertTrue(loser.hasUnclaimed(KICKED), what + ": the closed native session got KICKED first, not only "
                        + loser.unclaimedText());
            }
            assertSurvives(survivor, survivorKind, uid, what);

            try (WireClient third = WireClient.nativeClient(later)) {
                ChatServerTest.login(third, uid, PASSWORD, device);
                assertTrue(survivor.closedByServerWithin(KICK_WAIT_MILLIS), what + ": a later login closes the survivor");
                if (!survivorKind.legacy()) {
                    assertTrue(survivor.hasUnclaimed(KICKED), what + ": the survivor got KICKED from the later login, not only "
                            + survivor.unclaimedText());
                }
            }
        }
    }

    private static WireClient connect(Racer racer) throws IOException {
        return racer.legacy() ? WireClient.legacyClient(racer.at()) : WireClient.nativeClient(racer.at());
    }

    /**
     * Waits until one of the two connections is closed by the server and returns true
     * if that was {@code a}; fails if neither is, or if both are.
     */
    private static boolean awaitOneClosed(WireClient a, WireClient b, String what) throws IOException {
        long deadline = System.nanoTime() + KICK_WAIT_MILLIS * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (a.closedByServerWithin(POLL_MILLIS)) {
                return true;
            }
            if (b.closedByServerWithin(POLL_MILLIS)) {
                return false;
            }
        }
        throw new AssertionError(what + ": both sessions stayed logged in for " + KICK_WAIT_MILLIS
                + " ms, neither was kicked");
    }

    /** The survivor is logged in, can chat, and is the session pushes to the user reach. */
    private void assertSurvives(WireClient survivor, Racer kind, long uid, String what) throws IOException {
        if (kind.legacy()) {
            // Legacy chats get no SEND_ACK; HISTORY answers only a logged-in session.
            survivor.send(HISTORY, obj("peer", peerId, "limit", 1));
            JsonNode reply = survivor.await(f -> hasType(f, HISTORY_ACK) || hasType(f, ERROR),
                    "HISTORY_ACK or ERROR");
            assertEquals(0, reply.path("errno").asInt(), what + ": the legacy survivor is logged in: " + reply);
        } else {
            String cmid = "survivor-" + ++chats;
            survivor.send(ONE_CHAT, obj("toid", peerId, "msg", "still here", "cmid", cmid));
            JsonNode reply = survivor.await(f -> cmid.equals(f.path("cmid").asText(null)), "the outcome of " + cmid);
            assertEquals(SEND_ACK.code(), reply.path("msgid").asInt(), what + ": the survivor's chat gets SEND_ACK: " + reply);
        }
        String text = "to the survivor of " + what;
        String cmid = "peer-" + ++chats;
        peer.send(ONE_CHAT, obj("toid", uid, "msg", text, "cmid", cmid));
        JsonNode ack = peer.await(f -> cmid.equals(f.path("cmid").asText(null)), "the outcome of " + cmid);
        assertEquals(SEND_ACK.code(), ack.path("msgid").asInt(), ack.toString());
        JsonNode push = survivor.await(f -> text.equals(f.path("msg").asText(null)), "the push \"" + text + "\"");
        assertEquals(ONE_CHAT.code(), push.path("msgid").asInt(), what + ": " + push);
    }

    @Override
    public void close() throws IOException {
        try (registrar; peer) {
            peer.send(LOGINOUT, obj());
        }
    }
}
