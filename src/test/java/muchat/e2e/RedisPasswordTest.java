package muchat.e2e;

import static muchat.e2e.ChatServerTest.login;
import static muchat.e2e.ChatServerTest.register;
import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.ONE_CHAT;
import static muchat.protocol.MsgType.SEND_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import muchat.it.MuchatProcess;
import muchat.it.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Cluster mode through a Redis that requires a password ({@code requirepass}): every
 * connection of an instance logs in with the password of {@code --redis redis://...}
 * (commands, presence, the subscriber), the password never reaches the log, and a wrong
 * or missing one stops the server at start with one line. Real processes: a private
 * redis-server, muchat instances, and a fresh database on the MariaDB at 127.0.0.1:3306.
 */
class RedisPasswordTest {
    private static final String SERVER = "jdbc:mysql://127.0.0.1:3306/";
    private static final String PASSWORD = "s3cret-" + UUID.randomUUID();
    private static String database;
    private static RedisProcess redis;

    @BeforeAll
    static void start() throws SQLException {
        database = "muchat_redispw_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        sql("CREATE DATABASE " + database + " CHARACTER SET utf8mb4");
        redis = RedisProcess.launchWithPassword(PASSWORD);
    }

    @AfterAll
    static void stop() throws SQLException {
        redis.close();
        sql("DROP DATABASE IF EXISTS " + database);
    }

    @Test
    void twoInstancesChatThroughARedisThatRequiresAPassword() throws Exception {
        int portA = RestartTest.freePort();
        int portB = RestartTest.freePort();
        try (MuchatProcess a = launch("a", portA, redis.uri("default", PASSWORD));
             MuchatProcess b = launch("b", portB, redis.uri(null, PASSWORD));
             WireClient x = WireClient.nativeClient(new InetSocketAddress("127.0.0.1", portA));
             WireClient y = WireClient.nativeClient(new InetSocketAddress("127.0.0.1", portB))) {
            long xId = register(x, "x-" + portA, "secret1");
            long yId = register(y, "y-" + portB, "secret1");
            login(x, xId, "secret1");
            login(y, yId, "secret1");

            try (Jedis admin = new Jedis("127.0.0.1", redis.port())) {
                admin.auth(PASSWORD);
                assertTrue(admin.pubsubChannels().containsAll(List.of("muchat:inst:a", "muchat:inst:b")),
                        "both subscribers logged in: " + admin.pubsubChannels());
                assertTrue(admin.exists("muchat:user:" + yId), "b registered its user's presence");
            }
            x.send(ONE_CHAT, obj("toid", yId, "msg", "through the locked redis", "cmid", "p1"));
            assertEquals("p1", x.await(SEND_ACK).get("cmid").asText());
            JsonNode push = y.await(ONE_CHAT);
            assertEquals("through the locked redis", push.get("msg").asText());
            assertEquals(xId, push.get("id").asLong());

            for (MuchatProcess instance : List.of(a, b)) {
                List<String> output = serverOutput(instance);
                assertFalse(output.stream().anyMatch(line -> line.contains(PASSWORD)), output.toString());
                assertTrue(output.stream().anyMatch(line -> line.contains("muchat ready")
                        && line.contains(":***@127.0.0.1:" + redis.port())), output.toString());
            }
        }
    }

    @Test
    void aWrongPasswordStopsTheServerWithOneLine() throws Exception {
        String wrong = "wrong-" + UUID.randomUUID();
        String error = refused("wrong", redis.uri(null, wrong));
        assertTrue(error.contains("WRONGPASS"), error);
        assertTrue(error.contains("redis://:***@127.0.0.1:" + redis.port()), error);
    }

    @Test
    void noPasswordStopsTheServerWithOneLine() throws Exception {
        assertTrue(refused("none", redis.hostPort()).contains("NOAUTH"));
    }

    @Test
    void aPasswordForARedisWithoutOneStopsTheServer() throws Exception {
        try (RedisProcess open = RedisProcess.launch()) {
            assertTrue(refused("open", open.uri(null, "wrong-" + UUID.randomUUID())).contains("without any password"));
        }
    }

    /**
     * Runs an instance with {@code --redis redisArg}; asserts it exits 1 after one ERROR
     * line, without a stack trace or the password, and returns that line.
     */
    private static String refused(String instance, String redisArg) throws Exception {
        MuchatProcess p = MuchatProcess.runToExit(logName(instance), args(instance, RestartTest.freePort(), redisArg));
        List<String> output = serverOutput(p);
        List<String> errors = output.stream().filter(line -> line.contains("ERROR")).toList();
        assertEquals(1, p.exitValue(), output.toString());
        assertEquals(1, errors.size(), output.toString());
        assertTrue(errors.get(0).contains("cannot start: redis at "), output.toString());
        assertFalse(output.stream().anyMatch(line -> line.startsWith("\tat ")), "no stack trace: " + output);
        assertFalse(output.stream().anyMatch(line -> line.contains(":wrong-")), "no password: " + output);
        return errors.get(0);
    }

    /** What the server printed: its log without the test harness's banner lines (which show the arguments). */
    private static List<String> serverOutput(MuchatProcess p) throws IOException {
        return Files.readAllLines(p.logFile(), StandardCharsets.UTF_8).stream()
                .filter(line -> !line.startsWith("---- start ")).toList();
    }

    private static MuchatProcess launch(String instance, int port, String redisArg) throws IOException {
        return MuchatProcess.launch(logName(instance), args(instance, port, redisArg));
    }

    private static List<String> args(String instance, int port, String redisArg) {
        return List.of("--host", "127.0.0.1", "--port", String.valueOf(port), "--instance", instance,
                "--redis", redisArg, "--db-url", SERVER + database, "--db-user", "root", "--db-password", "");
    }

    /** A log of this run only: {@code target/it-logs/redispw-<instance>.log}, emptied first. */
    private static String logName(String instance) throws IOException {
        String name = "redispw-" + instance;
        Files.deleteIfExists(Path.of("target", "it-logs", name + ".log"));
        return name;
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, "root", "");
             Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
