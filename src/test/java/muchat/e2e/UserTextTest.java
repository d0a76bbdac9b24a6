package muchat.e2e;

import static muchat.e2e.ChatServerTest.login;
import static muchat.e2e.ChatServerTest.register;
import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.CREATE_GROUP;
import static muchat.protocol.MsgType.REG;
import static muchat.protocol.MsgType.REG_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import muchat.it.LocalProcess;
import muchat.it.MuchatProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Text that other users and the operator see (docs/protocol.md 4.1): names and group
 * names with line breaks or control characters are refused, and what a user typed
 * reaches the server's log escaped, one event per line. A real server process, its log
 * file read as an operator would.
 */
class UserTextTest {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final List<String> UNSAFE = List.of("\n", "\r", "\t", "\u001b[2J", "\u0000", "\u007f", "\u0085",
            "\u2028", "\u2029", "\u202e", "\u2066");
    private static Path data;
    private static MuchatProcess server;
    private static InetSocketAddress address;

    @BeforeAll
    static void startServer() throws IOException {
        data = LocalProcess.tempDir("muchat-usertext");
        int port = RestartTest.freePort();
        address = new InetSocketAddress("127.0.0.1", port);
        server = MuchatProcess.launch("usertext", List.of("--host", "127.0.0.1", "--port", String.valueOf(port),
                "--data", data.toString()));
    }

    @AfterAll
    static void stopServer() {
        server.close();
        LocalProcess.deleteTree(data);
    }

    @Test
    void aNameHoldingALineBreakOrAControlCharacterIsRefusedInBothFramings() throws IOException {
        try (WireClient nativeClient = WireClient.nativeClient(address);
             WireClient legacyClient = WireClient.legacyClient(address)) {
            for (WireClient c : List.of(nativeClient, legacyClient)) {
                for (String unsafe : UNSAFE) {
                    c.send(REG, obj("name", "eve" + unsafe + NAMES.incrementAndGet(), "password", "secret1"));
                    JsonNode ack = c.await(REG_ACK);
                    assertEquals(14, ack.get("errno").asInt(), ack.toString());
                    assertTrue(ack.get("errmsg").asText().startsWith("name must not contain control characters"),
                            ack.toString());
                }
            }
            assertTrue(register(nativeClient, "Zoë 张伟 😀 " + NAMES.incrementAndGet(), "secret1") > 0,
                    "letters of any script, spaces and emoji are fine");
        }
    }

    @Test
    void aGroupNameOrDescriptionHoldingAControlCharacterIsRefused() throws IOException {
        try (WireClient c = WireClient.nativeClient(address)) {
            long id = register(c, "creator" + NAMES.incrementAndGet(), "secret1");
            login(c, id, "secret1");
            for (String unsafe : UNSAFE) {
                c.send(CREATE_GROUP, obj("groupname", "team" + unsafe, "groupdesc", "fine"));
                JsonNode ack = c.await(CREATE_GROUP);
                assertEquals(14, ack.get("errno").asInt(), ack.toString());
                assertTrue(ack.get("errmsg").asText().startsWith("groupname must not"), ack.toString());

                c.send(CREATE_GROUP, obj("groupname", "team", "groupdesc", "line one" + unsafe + "line two"));
                ack = c.await(CREATE_GROUP);
                assertEquals(14, ack.get("errno").asInt(), ack.toString());
                assertTrue(ack.get("errmsg").asText().startsWith("groupdesc must not"), ack.toString());
            }
            c.send(CREATE_GROUP, obj("groupname", "équipe 团队", "groupdesc", "ordinary text, \"quoted\" \\ and all"));
            assertEquals(0, c.await(CREATE_GROUP).get("errno").asInt());
        }
    }

    @Test
    void aLineBreakInANameDoesNotForgeALogLine() throws IOException {
        String marker = "forged" + System.nanoTime();
        try (WireClient nativeClient = WireClient.nativeClient(address);
             WireClient legacyClient = WireClient.legacyClient(address)) {
            nativeClient.send(REG, obj("name", "eve\n12:00:00.000 INFO  " + marker, "password", "secret1"));
            assertEquals(14, nativeClient.await(REG_ACK).get("errno").asInt());
            // A backslash is allowed in a name; in the log it is doubled, so this name
            // cannot be read back as a line break either.
            legacyClient.sendJson(REG, ("{\"msgid\":4,\"name\":\"mallory\\\\n" + marker + "\",\"password\":\"secret1\"}")
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals(0, legacyClient.await(REG_ACK).get("errno").asInt());
        }
        List<String> lines = Files.readAllLines(server.logFile(), StandardCharsets.UTF_8);
        assertFalse(lines.stream().anyMatch(line -> line.contains(marker) && !line.contains("registered user=")),
                "every line holding the user's text is the server's own: " + lines);
        assertTrue(lines.stream().anyMatch(line -> line.contains("registered user=")
                && line.contains(" name=mallory\\\\n" + marker + " ")), "the backslash is escaped: " + lines);
    }
}
