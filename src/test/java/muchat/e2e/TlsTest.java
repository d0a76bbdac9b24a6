package muchat.e2e;

import static muchat.protocol.MsgType.LOGIN;
import static muchat.protocol.MsgType.LOGIN_ACK;
import static muchat.protocol.MsgType.REG;
import static muchat.protocol.MsgType.REG_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import muchat.it.LocalProcess;
import muchat.it.NginxProcess;
import muchat.it.TestCertificates;
import muchat.net.TcpConnection;
import muchat.net.TlsContexts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * TLS as a user meets it: the terminal client with {@code --tls} against a server with
 * {@code --tls-cert/--tls-key}, and against nginx terminating TLS in front of a plaintext
 * instance; a plaintext client on the TLS port; a key in the wrong format.
 */
@Timeout(60)
class TlsTest {
    private static final String TIME = "\\[\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\]";
    private static TestCertificates certificates;
    private static SSLContext trustingClient;

    @BeforeAll
    static void makeCertificates() throws IOException {
        certificates = TestCertificates.create("rsa");
        trustingClient = TlsContexts.client(certificates.cert());
    }

    @AfterAll
    static void deleteCertificates() {
        certificates.close();
    }

    @Test
    void aTlsSessionLogsInChatsAndGetsPushes() throws Exception {
        try (ServerFixture server = tlsServer();
             Terminal alice = new Terminal("alice", server.address(), trustingClient);
             Terminal bob = new Terminal("bob", server.address(), trustingClient)) {
            chat(alice, bob);
        }
    }

    @Test
    void aClassicClientRegistersAndLogsInInsideTls() throws Exception {
        try (ServerFixture server = tlsServer();
             ClassicClient classic = new ClassicClient(trustingClient.getSocketFactory()
                     .createSocket("127.0.0.1", server.address().getPort()))) {
            classic.send(REG, WireClient.JSON.createObjectNode().put("name", "classic").put("password", "secret1"));
            JsonNode registered = classic.next(REG_ACK);
            assertEquals(0, registered.get("errno").asInt());
            classic.send(LOGIN, WireClient.JSON.createObjectNode().put("id", registered.get("id").asLong())
                    .put("password", "secret1"));
            assertEquals(0, classic.next(LOGIN_ACK).get("errno").asInt());
        }
    }

    @Test
    void nginxTerminatesTlsInFrontOfAPlaintextInstance() throws Exception {
        try (ServerFixture server = new ServerFixture();
             NginxProcess nginx = NginxProcess.launchTls(List.of(server.address().getPort()),
                     certificates.cert(), certificates.key());
             Terminal alice = new Terminal("alice", loopback(nginx.port()), trustingClient);
             Terminal bob = new Terminal("bob", loopback(nginx.port()), trustingClient)) {
            chat(alice, bob);
        }
    }

    @Test
    void aPlaintextClientOnTheTlsPortIsClosedCleanlyAndOthersAreStillServed() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        root.addAppender(events);
        try (ServerFixture server = tlsServer()) {
            try (Socket classic = new Socket("127.0.0.1", server.address().getPort())) {
                classic.setSoTimeout(5000); // a stall fails the read below
                classic.getOutputStream().write("{\"msgid\":1,\"id\":1,\"password\":\"x\"}\0"
                        .getBytes(StandardCharsets.UTF_8));
                classic.getInputStream().readAllBytes(); // at most a TLS alert, then the end
            }
            try (Terminal alice = new Terminal("alice", server.address(), trustingClient)) {
                alice.register("alice", "secret1");
                alice.login("alice", "secret1");
            }
            List<ILoggingEvent> closed = events.list.stream()
                    .filter(e -> e.getLoggerName().equals(TcpConnection.class.getName())
                            && e.getFormattedMessage().contains("reason=tls")).toList();
            assertEquals(1, closed.size(), "one line says why the plaintext client was closed");
            assertTrue(events.list.stream().allMatch(e -> e.getThrowableProxy() == null), "no stack trace logged");
        } finally {
            root.detachAppender(events);
        }
    }

    @Test
    void aPkcs1KeyIsRefusedWithAHintToConvertIt() throws Exception {
        Path data = LocalProcess.tempDir("muchat-tls-data");
        Path output = data.resolve("server.out");
        try {
            Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "muchat.server.Main", "server",
                    "--port", "0", "--data", data.toString(),
                    "--tls-cert", certificates.cert().toString(), "--tls-key", certificates.pkcs1Key().toString())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the server gave up instead of running");
            assertEquals(1, server.exitValue());
            List<String> cannotStart = Files.readAllLines(output).stream().filter(l -> l.contains("cannot start")).toList();
            assertEquals(1, cannotStart.size(), String.join("\n", Files.readAllLines(output)));
            assertTrue(cannotStart.get(0).contains("PKCS#1") && cannotStart.get(0).contains("openssl pkey -in"),
                    cannotStart.get(0));
        } finally {
            LocalProcess.deleteTree(data);
        }
    }

    private static ServerFixture tlsServer() throws IOException {
        return new ServerFixture("--tls-cert", certificates.cert().toString(),
                "--tls-key", certificates.key().toString());
    }

    /** Registers both, logs both in, and alice's chat reaches bob as a push. */
    private static void chat(Terminal alice, Terminal bob) throws IOException {
        long aliceId = alice.register("alice", "secret1");
        long bobId = alice.register("bob", "secret2");
        alice.login("alice", "secret1");
        bob.login("bob", "secret2");
        alice.type("chat:" + bobId + ":over tls");
        alice.await("(sent ");
        bob.await(Pattern.compile(TIME + " alice\\(" + aliceId + "\\) -> you: over tls"));
    }

    private static java.net.InetSocketAddress loopback(int port) {
        return new java.net.InetSocketAddress("127.0.0.1", port);
    }
}
