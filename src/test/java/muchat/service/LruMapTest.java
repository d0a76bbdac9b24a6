package muchat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The tables kept per address or account stay bounded and forget who has been quiet longest. */
class LruMapTest {

    private static LruMap<String, Integer> full(int capacity) {
        LruMap<String, Integer> map = new LruMap<>(capacity);
        for (int i = 0; i < capacity; i++) {
            map.put("k" + i, i);
        }
        return map;
    }

    @Test
    void itNeverHoldsMoreThanItsCapacity() {
        LruMap<String, Integer> map = full(3);
        for (int i = 3; i < 100; i++) {
            map.put("k" + i, i);
            assertEquals(3, map.size());
        }
        assertEquals(Set.of("k97", "k98", "k99"), map.keySet(), "the last ones put are kept");
    }

    @Test
    void theKeyUsedLeastRecentlyMakesRoom() {
        LruMap<String, Integer> map = full(3);
        map.put("k3", 3);
        assertFalse(map.containsKey("k0"), "the oldest, never used since, was forgotten");
        assertEquals(List.of("k1", "k2", "k3"), List.copyOf(map.keySet()));
    }

    @Test
    void readingAKeyCountsAsUsingIt() {
        LruMap<String, Integer> map = full(3);
        map.get("k0");
        map.put("k3", 3);
        assertTrue(map.containsKey("k0"), "an address that keeps coming back is remembered");
        assertFalse(map.containsKey("k1"));
    }

    @Test
    void findingAKeyThroughComputeIfAbsentCountsAsUsingIt() {
        // How the throttles look up their entries.
        LruMap<String, Integer> map = full(3);
        assertEquals(0, map.computeIfAbsent("k0", k -> -1));
        map.computeIfAbsent("k3", k -> 3);
        assertTrue(map.containsKey("k0"));
        assertFalse(map.containsKey("k1"));
    }

    @Test
    void replacingAValueKeepsTheSizeAndCountsAsUsingIt() {
        LruMap<String, Integer> map = full(3);
        map.put("k0", 10);
        assertEquals(3, map.size());
        map.put("k3", 3);
        assertEquals(10, map.get("k0"));
        assertFalse(map.containsKey("k1"));
    }
}
