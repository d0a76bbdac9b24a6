package muchat.store;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * {@code IN (...)} lists for prepared statements. The number of elements is rounded up
 * to a power of two and the last value repeated into the spare places, so a handful of
 * statement texts serve every list length and stay in the drivers' statement caches.
 */
final class InList {
    /** The longest list one statement takes; longer lists go in chunks. */
    static final int MAX = 1024;

    private InList() {
    }

    /** The padded length for {@code n} elements (1 <= n <= MAX). */
    static int size(int n) {
        return Math.max(1, Integer.highestOneBit(n - 1) << 1);
    }

    /** {@code (e, e, ..., e)} with {@code size(n)} copies of {@code element}, e.g. "?" or "(?, ?)". */
    static String of(String element, int n) {
        StringJoiner list = new StringJoiner(", ", "(", ")");
        for (int i = size(n); i > 0; i--) {
            list.add(element);
        }
        return list.toString();
    }

    /** {@code values} with its last element repeated up to {@code size(values.size())} elements. */
    static <T> List<T> padded(List<T> values) {
        List<T> out = new ArrayList<>(values);
        while (out.size() < size(values.size())) {
            out.add(values.get(values.size() - 1));
        }
        return out;
    }

    /** {@code values} cut into lists of at most {@link #MAX}, in order. */
    static <T> List<List<T>> chunks(List<T> values) {
        List<List<T>> out = new ArrayList<>();
        for (int from = 0; from < values.size(); from += MAX) {
            out.add(values.subList(from, Math.min(values.size(), from + MAX)));
        }
        return out;
    }
}
