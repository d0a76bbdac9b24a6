package muchat.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemorySamplerTest {

    @Test
    void rssIsReadFromTheVmRssLine() {
        assertEquals(812_345, MemorySampler.rssKib(List.of(
                "Name:\tjava", "VmPeak:\t 5000000 kB", "VmRSS:\t  812345 kB", "RssAnon:\t  700000 kB")));
    }

    @Test
    void aProcessWithoutRssHasExited() {
        assertEquals(-1, MemorySampler.rssKib(List.of("Name:\tjava", "State:\tZ (zombie)")));
        assertEquals(-1, MemorySampler.rssKib(Path.of("/proc/no-such-process/status")));
    }

    @Test
    void thisProcessHasAnRss() {
        assertTrue(MemorySampler.rssKib(Path.of("/proc/self/status")) > 0);
    }
}
