package muchat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** How a lane forms batches: senders in turns, each sender's order kept, inbox rows bounded. */
class SenderTurnsTest {
    private static final List<Long> GROUP = LongStream.rangeClosed(100, 399).boxed().toList();

    private final SenderTurns<NewMessage> turns = new SenderTurns<>(m -> m);

    @Test
    void aSingleMessageOfAnotherSenderGoesIntoTheNextBatchNotBehindAFlood() {
        for (int i = 1; i <= 1000; i++) {
            turns.add(NewMessage.group(1, 7, "flood " + i, i, null, GROUP));
        }
        turns.add(NewMessage.direct(2, 3, "hello", 0, null));

        List<NewMessage> batch = new ArrayList<>();
        turns.takeBatch(batch, GroupCommitWriter.MAX_BATCH, GroupCommitWriter.MAX_BATCH_ROWS);
        assertEquals(List.of("flood 1", "hello"), batch.stream().map(NewMessage::text).toList());
        batch.clear();
        turns.takeBatch(batch, GroupCommitWriter.MAX_BATCH, GroupCommitWriter.MAX_BATCH_ROWS);
        assertEquals(List.of("flood 2"), batch.stream().map(NewMessage::text).toList(),
                "a message over the row bound goes alone");
        assertEquals(998, turns.size());
    }

    @Test
    void eachSendersMessagesKeepTheirOrderAndOneToOneBatchesFillUp() {
        for (int i = 0; i < 600; i++) {
            turns.add(NewMessage.direct(i % 3, 9, String.valueOf(i), i, null));
        }
        List<NewMessage> batch = new ArrayList<>();
        turns.takeBatch(batch, GroupCommitWriter.MAX_BATCH, GroupCommitWriter.MAX_BATCH_ROWS);
        assertEquals(GroupCommitWriter.MAX_BATCH, batch.size());
        for (long sender = 0; sender < 3; sender++) {
            long s = sender;
            List<Integer> order = batch.stream().filter(m -> m.sender() == s).map(m -> Integer.valueOf(m.text())).toList();
            assertEquals(order.stream().sorted().toList(), order, "sender " + sender + " in submission order");
        }
        assertEquals(600 - GroupCommitWriter.MAX_BATCH, turns.removeAll().size());
        assertEquals(0, turns.size());
    }
}
