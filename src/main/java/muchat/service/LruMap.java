package muchat.service;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map that holds at most {@code capacity} keys and forgets the least recently used one
 * to make room: the tables kept per client address or account stay bounded whoever
 * sends.
 *
 * <p>Threads: not thread-safe; its owner synchronizes.
 */
final class LruMap<K, V> extends LinkedHashMap<K, V> {
    /** Keys per table: a few MiB at most, far more than are busy at any moment. */
    static final int DEFAULT_CAPACITY = 100_000;

    private final int capacity;

    LruMap(int capacity) {
        super(16, 0.75f, true);
        this.capacity = capacity;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
    }
}
