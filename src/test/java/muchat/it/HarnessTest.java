package muchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The integration harness itself: each real process survives what fault tests do to it. */
class HarnessTest {

    @Test
    void redisAnswersAgainAfterAKillAndRestartOnTheSamePort() {
        try (RedisProcess redis = RedisProcess.launch()) {
            int port = redis.port();
            redis.kill();
            assertFalse(redis.answersPing());
            redis.start();
            assertEquals(port, redis.port());
            assertTrue(redis.answersPing());
        }
    }

    @Test
    void mariaDbKeepsCommittedRowsAcrossStopAndKill() throws Exception {
        try (MariaDbProcess db = MariaDbProcess.launch()) {
            db.execute("CREATE TABLE " + MariaDbProcess.DATABASE + ".t (v INT)");
            db.execute("INSERT INTO " + MariaDbProcess.DATABASE + ".t VALUES (1)");
            db.stop();
            db.start();
            db.execute("INSERT INTO " + MariaDbProcess.DATABASE + ".t VALUES (2)");
            db.kill();
            db.start();
            try (Connection c = db.connect(MariaDbProcess.DATABASE); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT SUM(v) FROM t")) {
                assertTrue(rs.next());
                assertEquals(3, rs.getInt(1));
            }
            assertTrue(db.jdbcUrl().endsWith(":" + db.port() + "/" + MariaDbProcess.DATABASE));
        }
    }

    @Test
    void nginxProxiesToALiveUpstreamAndSkipsADeadOne() throws IOException {
        int dead = LocalProcess.freePort();
        try (ServerSocket echo = new ServerSocket(0, 50, InetAddress.getByName(LocalProcess.LOOPBACK));
             NginxProcess nginx = NginxProcess.launch(List.of(dead, echo.getLocalPort()))) {
            Thread server = new Thread(() -> echoEach(echo), "echo");
            server.setDaemon(true);
            server.start();
            for (int i = 0; i < 3; i++) {
                assertEquals("hello " + i, roundTrip(nginx.port(), "hello " + i));
            }
        }
    }

    @Test
    void muchatProcessWaitsForReadyAndRestartsAfterKill9() {
        try (MuchatProcess p = new MuchatProcess(FakeServer.class.getName(), "harness-fake", List.of("--port", "1"))) {
            p.start();
            assertTrue(p.isAlive());
            p.kill9();
            assertFalse(p.isAlive());
            p.start();
            assertTrue(p.isAlive());
        }
    }

    @Test
    void aServerThatExitsBeforeReadyFailsWithItsLog() {
        try (MuchatProcess p = new MuchatProcess(FakeServer.class.getName(), "harness-fail", List.of("fail"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, p::start);
            assertTrue(e.getMessage().contains("exited with status 3"), e.getMessage());
            assertTrue(e.getMessage().contains("asked to fail"), e.getMessage());
        }
    }

    /** Echoes one line per connection, for as long as the socket is open. */
    private static void echoEach(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                byte[] line = s.getInputStream().readNBytes(7);
                s.getOutputStream().write(line);
            } catch (IOException e) {
                return;
            }
        }
    }

    private static String roundTrip(int port, String text) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LocalProcess.LOOPBACK, port), 1000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readNBytes(text.length()), StandardCharsets.UTF_8);
        }
    }
}
