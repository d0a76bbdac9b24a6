package muchat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The group commit's backlog signal: on at the high mark, off at half of it, never repeated. */
class BacklogTest {
    private final Backlog backlog = new Backlog();
    private final List<Boolean> heard = new ArrayList<>();

    @Test
    void theSignalGoesOnAtTheHighMarkAndOffOnlyAtTheLowMark() {
        backlog.watch(4, heard::add);
        backlog.added(3);
        assertEquals(List.of(), heard, "under the high mark");
        backlog.added(1);
        assertEquals(List.of(true), heard, "at the high mark");
        backlog.added(2);
        backlog.removed(3);
        assertEquals(List.of(true), heard, "said once, and still on above the low mark");
        backlog.removed(1);
        assertEquals(List.of(true, false), heard, "off at the low mark, half the high mark");
        backlog.added(1);
        assertEquals(List.of(true, false), heard, "between the marks: stays off");
        backlog.added(1);
        assertEquals(List.of(true, false, true), heard);
    }

    @Test
    void watchingWhileAlreadyPastTheMarkSignalsAtOnce() {
        backlog.added(10);
        backlog.watch(8, heard::add);
        assertEquals(List.of(true), heard);
        backlog.removed(10);
        assertEquals(List.of(true, false), heard);
        assertEquals(0, backlog.waiting());
    }
}
