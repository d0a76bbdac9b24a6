package muchat.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

    @Test
    void saysOverAtTheLimitAndBackUnderOnlyBelowThreeQuartersOfIt() {
        List<Boolean> said = new ArrayList<>();
        MemoryBudget budget = new MemoryBudget(1000, said::add);
        budget.add(600);
        budget.add(399);
        assertEquals(List.of(), said, "under the limit");
        budget.add(1);
        assertEquals(List.of(true), said, "at the limit");
        budget.add(500);
        budget.add(-700);
        assertEquals(List.of(true), said, "800 is not under three quarters");
        budget.add(-50);
        assertEquals(List.of(true, false), said, "750 is");
        budget.add(-750);
        assertEquals(0, budget.used());
    }
}
