package muchat.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcLogTest {

    @Test
    void aYoungPauseOfG1GivesTheHeapAfterIt() {
        assertEquals(98 * 1024, GcLog.heapAfterKib(
                "[3.104s][info][gc] GC(12) Pause Young (Normal) (G1 Evacuation Pause) 612M->98M(1024M) 7.331ms"));
        assertEquals(150 * 1024, GcLog.heapAfterKib(
                "[9.000s][info][gc] GC(40) Pause Young (Concurrent Start) (G1 Humongous Allocation) 700M->150M(1024M) 9.1ms"));
    }

    @Test
    void fullPausesAndOtherCollectorsCountToo() {
        assertEquals(2L * 1024 * 1024, GcLog.heapAfterKib(
                "[50.2s][info][gc] GC(99) Pause Full (G1 Compaction Pause) 3G->2G(4G) 812.5ms"));
        assertEquals(900, GcLog.heapAfterKib(
                "[0.5s][info][gc] GC(0) Pause Young (Allocation Failure) 8703K->900K(31488K) 3.1ms"));
    }

    @Test
    void pausesThatFreeNothingAndOtherLinesAreSkipped() {
        assertEquals(-1, GcLog.heapAfterKib("[20.1s][info][gc] GC(50) Pause Remark 500M->500M(1024M) 3.2ms"));
        assertEquals(-1, GcLog.heapAfterKib("[20.3s][info][gc] GC(50) Pause Cleanup 500M->500M(1024M) 0.1ms"));
        assertEquals(-1, GcLog.heapAfterKib("[20.4s][info][gc] GC(50) Concurrent Mark Cycle 120.5ms"));
        assertEquals(-1, GcLog.heapAfterKib("[0.01s][info][gc] Using G1"));
    }

    @Test
    void onlyCollectionsLoggedAfterItStartsAreRead(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("gc.log");
        append(file, "GC(1) Pause Young (Normal) (G1 Evacuation Pause) 300M->10M(1024M) 1ms\n");
        GcLog log = new GcLog(file);
        assertEquals(List.of(), log.newHeapsAfterGc());

        append(file, "GC(2) Pause Young (Normal) (G1 Evacuation Pause) 300M->20M(1024M) 1ms\nGC(3) Pause Young");
        assertEquals(List.of(20L * 1024), log.newHeapsAfterGc(), "the unfinished line waits");

        append(file, " (Normal) (G1 Evacuation Pause) 300M->30M(1024M) 1ms\n");
        assertEquals(List.of(30L * 1024), log.newHeapsAfterGc());
    }

    @Test
    void aLogThatIsNotThereYetReadsAsNoCollections(@TempDir Path dir) throws IOException {
        GcLog log = new GcLog(dir.resolve("gc.log"));
        assertEquals(List.of(), log.newHeapsAfterGc());
        append(dir.resolve("gc.log"), "GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->3M(1024M) 1ms\n");
        assertEquals(List.of(3L * 1024), log.newHeapsAfterGc());
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
