package muchat.e2e;

import static muchat.e2e.ChatServerTest.login;
import static muchat.e2e.ChatServerTest.register;
import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.HEARTBEAT;
import static muchat.protocol.MsgType.HEARTBEAT_ACK;
import static muchat.protocol.MsgType.LOGINOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import muchat.testing.Await;
import org.junit.jupiter.api.Test;

/**
 * What a connection may hold without a user (docs/protocol.md section 6.1): the login
 * timeout, and the cap on connections from one address.
 */
class ConnectionLimitsTest {
    private static final AtomicInteger NAMES = new AtomicInteger();
    /** Far more than a 1 s login timeout and its sweep take, far less than the 90 s idle timeout. */
    private static final long CLOSE_WITHIN_MILLIS = 5000;

    @Test
    void connectionsThatNeverLogInAreClosedAfterTheLoginTimeoutWhileALoggedInOneStays() throws Exception {
        // One IO loop: the connections are swept in the order they came.
        try (ServerFixture server = new ServerFixture("--login-timeout", "1", "--io-threads", "1");
             WireClient user = loggedIn(server);
             WireClient heartbeatsOnly = WireClient.nativeClient(server.address());
             WireClient classic = WireClient.legacyClient(server.address())) {
            register(classic, uniqueName(), "secret1"); // a classic client that registers and stays

            heartbeatsOnly.send(HEARTBEAT, obj());
            heartbeatsOnly.await(HEARTBEAT_ACK); // HEARTBEAT is allowed before LOGIN, and is no login
            assertTrue(heartbeatsOnly.closedByServerWithin(CLOSE_WITHIN_MILLIS),
                    "a native connection without a login is closed");
            assertTrue(classic.closedByServerWithin(CLOSE_WITHIN_MILLIS),
                    "a classic connection without a login is closed although it is never idle-closed");

            user.send(HEARTBEAT, obj());
            user.await(HEARTBEAT_ACK); // as old as the others, logged in: still open
        }
    }

    @Test
    void afterLoginoutTheLoginTimeoutAppliesAgainFromThatMoment() throws Exception {
        try (ServerFixture server = new ServerFixture("--login-timeout", "1", "--io-threads", "1");
             WireClient user = loggedIn(server);
             WireClient stranger = WireClient.nativeClient(server.address())) {
            assertTrue(stranger.closedByServerWithin(CLOSE_WITHIN_MILLIS));
            // user's first deadline has passed too: LOGINOUT must start a new one, not close at once.
            user.send(LOGINOUT, obj());
            user.send(HEARTBEAT, obj());
            user.await(HEARTBEAT_ACK);
            assertTrue(user.closedByServerWithin(CLOSE_WITHIN_MILLIS), "logged out and never in again: closed");
        }
    }

    @Test
    void overTheCapAConnectionFromTheSameAddressIsClosedAtOnceUntilOneOfTheOthersCloses() throws Exception {
        int cap = 3;
        try (ServerFixture server = new ServerFixture("--max-connections-per-address", String.valueOf(cap))) {
            List<WireClient> admitted = new ArrayList<>();
            try {
                for (int i = 0; i < cap; i++) {
                    admitted.add(WireClient.nativeClient(server.address()));
                }
                for (WireClient c : admitted) {
                    assertTrue(answersHeartbeat(c), "one of the first " + cap + " works");
                }
                try (WireClient over = WireClient.nativeClient(server.address())) {
                    assertTrue(over.closedByServerWithin(CLOSE_WITHIN_MILLIS), "the connection over the cap is closed");
                    assertEquals(List.of(), over.framesUntilClosed(), "without a byte");
                }
                login(admitted.get(0), register(admitted.get(0), uniqueName(), "secret1"), "secret1");

                admitted.remove(1).close();
                // The server sees the close a moment later; until then a newcomer is still over the cap.
                boolean newcomerWorks = Await.holdsWithin(Duration.ofMillis(CLOSE_WITHIN_MILLIS),
                        () -> admitIfItWorks(WireClient.nativeClient(server.address()), admitted));
                assertTrue(newcomerWorks, "a new connection works once one of the others closed");
                for (WireClient c : admitted) {
                    assertTrue(answersHeartbeat(c), "the others still work");
                }
                try (WireClient over = WireClient.nativeClient(server.address())) {
                    assertTrue(over.closedByServerWithin(CLOSE_WITHIN_MILLIS), "at the cap again");
                }
            } finally {
                for (WireClient c : admitted) {
                    c.close();
                }
            }
        }
    }

    @Test
    void theCapCountsEachAddressOnItsOwn() throws Exception {
        try (ServerFixture server = new ServerFixture("--max-connections-per-address", "1");
             WireClient first = WireClient.nativeClient(server.address());
             WireClient fromElsewhere = WireClient.nativeClient(server.address(), "127.0.0.2")) {
            assertTrue(answersHeartbeat(first));
            assertTrue(answersHeartbeat(fromElsewhere), "another address has its own allowance");
            try (WireClient second = WireClient.nativeClient(server.address())) {
                assertFalse(answersHeartbeat(second));
            }
        }
    }

    /**
     * A fresh connection, logged in well within a 1 s login timeout: the user is
     * registered on a connection of its own first.
     */
    private static WireClient loggedIn(ServerFixture server) throws IOException {
        String name = uniqueName();
        long id;
        try (WireClient registrar = WireClient.nativeClient(server.address())) {
            id = register(registrar, name, "secret1");
        }
        WireClient user = WireClient.nativeClient(server.address());
        login(user, id, "secret1");
        return user;
    }

    /** Keeps {@code newcomer} in {@code admitted} if it answers a heartbeat, else closes it; true if kept. */
    private static boolean admitIfItWorks(WireClient newcomer, List<WireClient> admitted) throws IOException {
        if (!answersHeartbeat(newcomer)) {
            newcomer.close();
            return false;
        }
        admitted.add(newcomer);
        return true;
    }

    /** True if a HEARTBEAT is answered; false if the server closed the connection instead. */
    private static boolean answersHeartbeat(WireClient c) {
        try {
            c.send(HEARTBEAT, obj());
            c.await(HEARTBEAT_ACK);
            return true;
        } catch (IOException e) {
            return false; // closed (end of stream or reset)
        }
    }

    private static String uniqueName() {
        return "limits" + NAMES.incrementAndGet();
    }
}
