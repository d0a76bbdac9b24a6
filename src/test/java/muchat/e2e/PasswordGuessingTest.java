package muchat.e2e;

import static muchat.e2e.ChatServerTest.login;
import static muchat.e2e.ChatServerTest.register;
import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.LOGIN;
import static muchat.protocol.MsgType.LOGIN_ACK;
import static muchat.protocol.MsgType.REG;
import static muchat.protocol.MsgType.REG_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Failed logins and registrations (docs/protocol.md section 6.7): guessing is slowed down
 * per account and per address and logged, registrations per address are limited, and
 * password hashes of earlier versions still work and are replaced by Argon2id.
 */
class PasswordGuessingTest {
    private static final String PASSWORD = "correct horse";
    /** PBKDF2-HMAC-SHA256 of PASSWORD, 10,000 iterations, as earlier versions stored it. */
    private static final String EARLIER_PBKDF2 =
            "pbkdf2-sha256$10000$MDEyMzQ1Njc4OWFiY2RlZg==$TI2grtvV1HW5nz2rBY4tctlrmOj5bZs0dw9j8NHpRRc=";
    private static final int RATE_LIMITED = 17;
    private static final int WRONG_CREDENTIALS = 1;
    /** Longer than a slow test machine takes between two logins, so the throttle is still on. */
    private static final String LONG_BACKOFF = "60000";

    private final Logs logs = new Logs();

    @BeforeEach
    void captureLogs() {
        logs.attach("muchat.service", "muchat.store");
    }

    @AfterEach
    void releaseLogs() {
        logs.detach();
    }

    @Test
    void afterFiveWrongPasswordsEvenTheRightOneWaitsTheBackoffThenWorks() throws Exception {
        try (ServerFixture server = new ServerFixture("--login-backoff", "3000");
             WireClient guesser = WireClient.nativeClient(server.address());
             WireClient elsewhere = WireClient.nativeClient(server.address(), "127.0.0.2")) {
            long alice = register(guesser, "alice", PASSWORD);
            for (int i = 0; i < 5; i++) {
                assertEquals(WRONG_CREDENTIALS, tryLogin(guesser, alice, "guess-" + i).get("errno").asInt());
            }
            JsonNode refused = tryLogin(guesser, alice, PASSWORD);
            assertEquals(RATE_LIMITED, refused.get("errno").asInt(), refused.toString());
            long retryAfter = refused.get("retry_after").asLong();
            assertTrue(retryAfter > 0 && retryAfter <= 3000, refused.toString());
            assertEquals(RATE_LIMITED, tryLogin(elsewhere, alice, PASSWORD).get("errno").asInt(),
                    "the account waits whatever address it is tried from");

            JsonNode ack = loginOnceAllowed(guesser, alice, PASSWORD);
            assertEquals(0, ack.get("errno").asInt(), ack.toString());
        }
    }

    @Test
    void oneAddressGuessingAcrossAccountsWaitsWhileOthersDoNot() throws Exception {
        try (ServerFixture server = new ServerFixture("--throttle-addresses", "yes", "--login-backoff", LONG_BACKOFF);
             WireClient guesser = WireClient.nativeClient(server.address());
             WireClient neighbour = WireClient.nativeClient(server.address(), "127.0.0.2")) {
            List<Long> users = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                users.add(register(guesser, "user" + i, PASSWORD));
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(WRONG_CREDENTIALS, tryLogin(guesser, users.get(i), "guess").get("errno").asInt());
            }
            JsonNode refused = tryLogin(guesser, users.get(5), PASSWORD);
            assertEquals(RATE_LIMITED, refused.get("errno").asInt(), "a sixth account from the guessing address");
            assertTrue(refused.get("retry_after").asLong() > 0, refused.toString());
            login(neighbour, users.get(5), PASSWORD); // another address is not held up
        }
    }

    @Test
    void eachFailureIsLoggedOnceWithItsAddressAndNeverThePassword() throws Exception {
        try (ServerFixture server = new ServerFixture("--login-backoff", LONG_BACKOFF);
             WireClient guesser = WireClient.nativeClient(server.address())) {
            long alice = register(guesser, "alice", PASSWORD);
            for (int i = 0; i < 6; i++) {
                tryLogin(guesser, alice, "hunter2-" + i);
            }
            guesser.send(LOGIN, obj("name", "mallory\nINFO login user=1", "password", "hunter2-x"));
            guesser.await(LOGIN_ACK);

            List<String> failed = logs.matching("login failed");
            assertEquals(6, failed.size(), "five failures and one unknown name; the refused one is no failure: "
                    + failed);
            for (String line : failed.subList(0, 5)) {
                assertTrue(line.contains("user=" + alice) && line.contains("peer=127.0.0.1:"), line);
            }
            assertTrue(failed.get(5).contains("user=none name=mallory\\nINFO login user=1"), failed.get(5));
            assertEquals(1, logs.matching("login throttled user=" + alice).size(), "the throttle starts once");
            assertEquals(List.of(), logs.matching("hunter2"));
            assertFalse(logs.all().stream().anyMatch(line -> line.contains("\n")), "no forged log line");
        }
    }

    @Test
    void aPbkdf2HashOfAnEarlierVersionLogsInAndIsReplacedByArgon2id() throws Exception {
        long[] id = new long[1];
        try (ServerFixture server = ServerFixture.seeded(db -> {
            id[0] = db.users().register("old-timer", "not the one").orElseThrow();
            try (Connection c = db.dataSource().getConnection();
                 PreparedStatement ps = c.prepareStatement("UPDATE users SET password = ? WHERE id = ?")) {
                ps.setString(1, EARLIER_PBKDF2);
                ps.setLong(2, id[0]);
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        })) {
            assertEquals(EARLIER_PBKDF2, storedHash(server, id[0]));
            try (WireClient c = WireClient.nativeClient(server.address())) {
                assertEquals(WRONG_CREDENTIALS, tryLogin(c, id[0], "wrong").get("errno").asInt());
                assertEquals(EARLIER_PBKDF2, storedHash(server, id[0]), "a wrong password changes nothing");
                login(c, id[0], PASSWORD);
            }
            String upgraded = storedHash(server, id[0]);
            assertTrue(upgraded.startsWith("$argon2id$v=19$m=" + ServerFixture.TEST_HASH_MEMORY_KIB + ",t=2,p=1$"),
                    upgraded);
            try (WireClient again = WireClient.nativeClient(server.address())) {
                login(again, id[0], PASSWORD);
            }
            assertEquals(upgraded, storedHash(server, id[0]), "a current hash stays");
            assertEquals(1, logs.matching("password hash of user=" + id[0] + " upgraded from pbkdf2-sha256").size());
        }
    }

    @Test
    void oneAddressRegistersAtMostItsHourlyShare() throws Exception {
        try (ServerFixture server = new ServerFixture("--max-registrations-per-address", "3");
             WireClient flooder = WireClient.nativeClient(server.address());
             WireClient neighbour = WireClient.nativeClient(server.address(), "127.0.0.2")) {
            for (int i = 0; i < 3; i++) {
                register(flooder, "flood" + i, PASSWORD);
            }
            flooder.send(REG, obj("name", "flood3", "password", PASSWORD));
            JsonNode refused = flooder.await(REG_ACK);
            assertEquals(RATE_LIMITED, refused.get("errno").asInt(), refused.toString());
            long retryAfter = refused.get("retry_after").asLong();
            assertTrue(retryAfter > 0 && retryAfter <= 20 * 60_000, refused.toString());
            register(neighbour, "flood3", PASSWORD); // refused, so the name is still free
        }
    }

    @Test
    void aClassicClientIsRefusedWithErrno17AndRetryAfterToo() throws Exception {
        try (ServerFixture server = new ServerFixture("--max-registrations-per-address", "1",
                "--login-backoff", LONG_BACKOFF);
             WireClient classic = WireClient.legacyClient(server.address())) {
            long alice = register(classic, "alice", PASSWORD);
            classic.send(REG, obj("name", "bob", "password", PASSWORD));
            JsonNode regRefused = classic.await(REG_ACK);
            assertEquals(RATE_LIMITED, regRefused.get("errno").asInt(), regRefused.toString());
            assertTrue(regRefused.get("retry_after").asLong() > 0, regRefused.toString());

            for (int i = 0; i < 5; i++) {
                assertEquals(WRONG_CREDENTIALS, tryLogin(classic, alice, "guess").get("errno").asInt());
            }
            JsonNode loginRefused = tryLogin(classic, alice, PASSWORD);
            assertEquals(RATE_LIMITED, loginRefused.get("errno").asInt(), loginRefused.toString());
            assertTrue(loginRefused.get("retry_after").asLong() > 0, loginRefused.toString());
        }
    }

    private static JsonNode tryLogin(WireClient c, long id, String password) throws IOException {
        c.send(LOGIN, obj("id", id, "password", password));
        return c.await(LOGIN_ACK);
    }

    /** Logs in as a client should: waiting what each errno 17 asks before trying again. */
    private static JsonNode loginOnceAllowed(WireClient c, long id, String password) throws Exception {
        for (int attempt = 0; attempt < 10; attempt++) {
            JsonNode ack = tryLogin(c, id, password);
            if (ack.get("errno").asInt() != RATE_LIMITED) {
                return ack;
            }
            Thread.sleep(ack.get("retry_after").asLong());
        }
        throw new AssertionError("still refused after 10 waits");
    }

    private static String storedHash(ServerFixture server, long id) throws SQLException {
        try (Connection c = server.openDatabase();
             PreparedStatement ps = c.prepareStatement("SELECT password FROM users WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getString(1);
            }
        }
    }

    /** What the server logs under some packages, as formatted messages, while a test runs. */
    private static final class Logs extends AppenderBase<ILoggingEvent> {
        private final Queue<String> lines = new ConcurrentLinkedQueue<>();
        private final List<Logger> loggers = new ArrayList<>();

        @Override
        protected void append(ILoggingEvent event) {
            lines.add(event.getFormattedMessage());
        }

        void attach(String... names) {
            start();
            for (String name : names) {
                Logger logger = (Logger) LoggerFactory.getLogger(name);
                logger.addAppender(this);
                loggers.add(logger);
            }
        }

        void detach() {
            loggers.forEach(logger -> logger.detachAppender(this));
            stop();
        }

        List<String> all() {
            return List.copyOf(lines);
        }

        List<String> matching(String text) {
            return lines.stream().filter(line -> line.contains(text)).toList();
        }
    }
}
