package muchat.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatLoadTest {

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
