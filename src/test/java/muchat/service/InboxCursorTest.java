package muchat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import muchat.net.Buffer;
import muchat.service.InboxCursor.Outcome;
import org.junit.jupiter.api.Test;

/**
 * A session's pushes reach its client in inbox order, each once, whatever order they
 * arrive in, and none is lost to a full connection: it is left for a catch-up.
 */
class InboxCursorTest {
    private static final long ALICE = 7;
    private static final long BOB = 8;

    /** What the client was written, as "uid:seq:text"; room for {@link #room} more frames. */
    private final List<String> written = new ArrayList<>();
    private int room = Integer.MAX_VALUE;
    private final InboxCursor cursor = new InboxCursor(new InboxCursor.Output() {
        @Override
        public boolean canTakeMore() {
            return room > 0;
        }

        @Override
        public void write(Buffer frame, long uid, long seq) {
            room--;
            written.add(uid + ":" + seq + ":" + new String(frame.array(), frame.readerIndex(), frame.readableBytes(), StandardCharsets.UTF_8));
        }
    });

    private static Buffer frame(String text) {
        return new Buffer(16).append(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void pushesInOrderAreWrittenAtOnce() {
        cursor.bind(ALICE, 0);
        assertEquals(Outcome.DONE, cursor.offer(ALICE, 1, frame("a")));
        assertEquals(Outcome.DONE, cursor.offer(ALICE, 2, frame("b")));
        assertEquals(List.of("7:1:a", "7:2:b"), written);
        assertEquals(2, cursor.pushedUpTo());
    }

    @Test
    void anEarlyPushWaitsForTheGapAndThenFollowsInOrder() {
        cursor.bind(ALICE, 10);
        assertEquals(Outcome.HELD, cursor.offer(ALICE, 13, frame("c")));
        assertEquals(Outcome.HELD, cursor.offer(ALICE, 12, frame("b")));
        assertTrue(cursor.hasGap());
        assertEquals(List.of(), written);

        assertEquals(Outcome.DONE, cursor.offer(ALICE, 11, frame("a")));
        assertEquals(List.of("7:11:a", "7:12:b", "7:13:c"), written);
        assertFalse(cursor.hasGap());
        assertEquals(13, cursor.pushedUpTo());
    }

    @Test
    void aPushWrittenBeforeIsNotWrittenAgain() {
        cursor.bind(ALICE, 0);
        cursor.offer(ALICE, 1, frame("a"));
        assertEquals(Outcome.DONE, cursor.offer(ALICE, 1, frame("a again")));
        assertEquals(List.of("7:1:a"), written);
    }

    @Test
    void aPushThatOnlyMovesTheCursorLetsTheNextOnesThrough() {
        cursor.bind(ALICE, 0);
        cursor.offer(ALICE, 2, frame("b"));
        assertEquals(Outcome.DONE, cursor.offer(ALICE, 1, null)); // the user's own message, shown by its SEND_ACK
        assertEquals(List.of("7:2:b"), written);
        assertEquals(2, cursor.pushedUpTo());
    }

    @Test
    void anUnshownPushThatArrivesEarlyIsSkippedWhenItsTurnComes() {
        cursor.bind(ALICE, 0);
        assertEquals(Outcome.HELD, cursor.offer(ALICE, 2, null));
        cursor.offer(ALICE, 1, frame("a"));
        cursor.offer(ALICE, 3, frame("c"));
        assertEquals(List.of("7:1:a", "7:3:c"), written);
    }

    @Test
    void aFullConnectionLeavesThePushForACatchUpAndTakesItAgainLater() {
        cursor.bind(ALICE, 0);
        room = 1;
        cursor.offer(ALICE, 1, frame("a"));
        assertEquals(Outcome.FULL, cursor.offer(ALICE, 2, frame("b")));
        assertEquals(1, cursor.pushedUpTo());

        room = 10; // the client has read: the catch-up brings seq 2 from the database
        assertEquals(Outcome.DONE, cursor.offer(ALICE, 2, frame("b")));
        assertEquals(List.of("7:1:a", "7:2:b"), written);
    }

    @Test
    void earlyPushesStopAtAFullConnectionAndWaitForTheNextTurn() {
        cursor.bind(ALICE, 0);
        cursor.offer(ALICE, 2, frame("b"));
        cursor.offer(ALICE, 3, frame("c"));
        room = 2;
        cursor.offer(ALICE, 1, frame("a"));
        assertEquals(List.of("7:1:a", "7:2:b"), written);
        assertTrue(cursor.hasGap(), "seq 3 still waits, and the gap timer will fetch it");
        assertEquals(2, cursor.pushedUpTo());
    }

    @Test
    void aGapLongerThanTheEarlyLimitIsLeftToTheDatabase() {
        cursor.bind(ALICE, 0);
        for (long seq = 2; seq < 2 + InboxCursor.MAX_EARLY; seq++) {
            assertEquals(Outcome.HELD, cursor.offer(ALICE, seq, frame("x")));
        }
        assertEquals(Outcome.FULL, cursor.offer(ALICE, 2 + InboxCursor.MAX_EARLY, frame("x")));
    }

    @Test
    void pushesForAnotherUserOrNobodyAreDropped() {
        cursor.offer(ALICE, 1, frame("before login"));
        cursor.bind(ALICE, 0);
        cursor.offer(BOB, 1, frame("bob's"));
        cursor.unbind();
        cursor.offer(ALICE, 1, frame("after logout"));
        assertEquals(List.of(), written);
    }

    @Test
    void aNewLoginStartsAfterItsAckAndForgetsWhatWasHeld() {
        cursor.bind(ALICE, 0);
        cursor.offer(ALICE, 5, frame("held"));
        cursor.bind(ALICE, 3);
        assertFalse(cursor.hasGap());
        cursor.offer(ALICE, 4, frame("d"));
        assertEquals(List.of("7:4:d"), written);
    }

    @Test
    void rewindMovesBackForAReplayButNeverForward() {
        cursor.bind(ALICE, 0);
        cursor.offer(ALICE, 1, frame("a"));
        cursor.offer(ALICE, 2, frame("b"));
        cursor.rewind(1);
        cursor.offer(ALICE, 2, frame("b again"));
        cursor.rewind(100); // a client claiming more than it was given
        assertEquals(2, cursor.pushedUpTo());
        cursor.offer(ALICE, 3, frame("c"));
        assertEquals(List.of("7:1:a", "7:2:b", "7:2:b again", "7:3:c"), written);
    }
}
