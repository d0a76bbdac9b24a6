package muchat.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import muchat.it.LocalProcess;
import muchat.server.ChatServer;
import muchat.server.Config;
import org.junit.jupiter.api.Test;

class ChatLoadTest {

    @Test
    void aShortLegacyRunDeliversEveryMessageItSent() throws Exception {
        Path data = LocalProcess.tempDir("muchat-chatload");
        try (ChatServer server = new ChatServer(Config.parse(new String[] {"--host", "127.0.0.1", "--port", "0",
                "--data", data.toString(), "--hash-memory", "8", "--throttle-addresses", "no",
                "--max-registrations-per-address", "0"}, Map.of()))) {
            server.start();
            LoadOptions options = LoadOptions.parse(new String[] {
                    "--targets", "127.0.0.1:" + server.address().getPort(), "--users", "8", "--seconds", "2",
                    "--warmup", "0", "--drain", "10", "--register", "--legacy", "--prefix", "legacytest"});
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            int status = ChatLoad.run(options, new PrintStream(out, true, StandardCharsets.UTF_8));

            // | offered | acked/s | delivered/s | p50 | p99 | p999 | lost | errors |
            String[] cells = out.toString(StandardCharsets.UTF_8).trim().split(" *\\| *");
            assertEquals(0, status, "exit status; row: " + out);
            assertEquals("closed loop, window 1", cells[1]);
            assertEquals("-", cells[2], "legacy has no SEND_ACK");
            // More than two messages a user in two seconds: each receipt let the partner send the next.
            long delivered = Long.parseLong(cells[3].replace(",", "")) * options.seconds();
            assertTrue(delivered > 2L * options.users(), "delivered in the measured seconds; row: " + out);
            assertEquals("0", cells[7], "lost");
            assertEquals("none", cells[8], "errors");
        } finally {
            LocalProcess.deleteTree(data);
        }
    }

    @Test
    void theProbeLineCarriesTheFiguresTheBenchmarkScriptReads() {
        LoopStats probe = new LoopStats();
        for (int i = 1; i <= 100; i++) {
            probe.sendLateMicros.recordValue(100);
            probe.latencyMicros.recordValue(i * 10L); // 0.01 to 1 ms, exact in the histogram
        }
        probe.sendLateMicros.recordValue(100);
        probe.error(50);

        Map<String, String> fields = fields(ChatLoad.probeLine(probe, 0));
        assertEquals("101", fields.get("sent"));
        assertEquals("100", fields.get("delivered"), "one sent message never arrived");
        assertEquals("0.50", fields.get("p50_ms"));
        assertEquals("0.99", fields.get("p99_ms"));
        assertEquals("1.00", fields.get("max_ms"));
        assertEquals("0.10", fields.get("late_p99_ms"));
        assertEquals("0", fields.get("lost"));
        assertEquals("errno50=1", fields.get("errors"));
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> fields = new HashMap<>();
        for (String word : line.split(" ")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                fields.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return fields;
    }
}
