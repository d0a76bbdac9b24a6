package muchat.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Simultaneous LOGINs of one user on one real server: whatever the timing, one session
 * survives and the other is kicked (docs/protocol.md section 6.2). The two logins run on
 * different logic strands, so each race is a real race between two threads.
 */
class LoginRaceTest {
    private static final int PAIRS = 300;
    private static ServerFixture server;

    @BeforeAll
    static void startServer() throws IOException {
        server = new ServerFixture();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void ofTwoSimultaneousLoginsExactlyOneSurvivesAndALaterLoginKicksIt() throws IOException {
        InetSocketAddress at = server.address();
        try (LoginRace race = new LoginRace("race1", at)) {
            for (int round = 0; round < PAIRS; round++) {
                // Every mix of framings, each in both orders: native-native, legacy-native, native-legacy, legacy-legacy.
                race.race(round, new LoginRace.Racer(at, (round & 1) != 0), new LoginRace.Racer(at, (round & 2) != 0), at);
            }
        }
    }
}
