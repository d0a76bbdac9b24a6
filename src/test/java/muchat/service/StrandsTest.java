package muchat.service;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A client's requests are handled one after another in the order it sent them; different clients in parallel. */
class StrandsTest {
    private static final int STRANDS = 2;
    private static final int TASKS = 1000;

    private final Strands strands = new Strands(STRANDS);

    @AfterEach
    void stop() throws InterruptedException {
        strands.shutdown(5, TimeUnit.SECONDS);
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        assertTrue(latch.await(5, TimeUnit.SECONDS), what);
    }

    /** The thread that runs the strand of {@code key}'s next task. */
    private Thread threadOf(long key) throws InterruptedException {
        AtomicReference<Thread> thread = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        strands.execute(key, () -> {
            thread.set(Thread.currentThread());
            ran.countDown();
        });
        await(ran, "the task of key " + key + " ran");
        return thread.get();
    }

    @Test
    void oneKeysTasksRunInTheOrderTheyWereQueuedOnOneThread() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(TASKS);
        List<Integer> expected = new ArrayList<>();
        for (int n = 0; n < TASKS; n++) {
            int value = n;
            expected.add(value);
            strands.execute(7, () -> {
                seen.add(value);
                threads.add(Thread.currentThread());
                done.countDown();
            });
        }
        await(done, "every task ran");
        assertEquals(expected, seen);
        assertEquals(1, threads.stream().distinct().count(), "one thread ran them all");
    }

    @Test
    void everyKeyKeepsOneStrandAndItsThread() throws Exception {
        for (long key = -10; key <= 10; key++) {
            int strand = strands.strandOf(key);
            assertTrue(strand >= 0 && strand < STRANDS, "key " + key + " has a strand");
            assertEquals(strand, strands.strandOf(key), "key " + key + " keeps its strand");
        }
        assertEquals(STRANDS, strands.count());
        assertNotEquals(strands.strandOf(0), strands.strandOf(1));
        assertSame(threadOf(0), threadOf(STRANDS), "keys of one strand share its thread");
        assertNotSame(threadOf(0), threadOf(1), "keys of other strands do not");
    }

    @Test
    void aBusyStrandDoesNotHoldUpTheOthers() throws Exception {
        CountDownLatch otherRan = new CountDownLatch(1);
        AtomicBoolean sawOther = new AtomicBoolean();
        CountDownLatch busyDone = new CountDownLatch(1);
        strands.execute(0, () -> {
            try {
                sawOther.set(otherRan.await(5, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            busyDone.countDown();
        });
        strands.execute(1, otherRan::countDown);
        await(busyDone, "the busy task ended");
        assertTrue(sawOther.get(), "key 1 ran while key 0's task was still running");
    }

    @Test
    void aFailingTaskDoesNotStopTheOnesAfterIt() throws Exception {
        CountDownLatch after = new CountDownLatch(2);
        strands.execute(7, () -> {
            throw new IllegalStateException("a handler bug");
        });
        strands.execute(7, after::countDown);
        strands.executeOn(strands.strandOf(7), () -> {
            throw new IllegalStateException("a handler bug");
        });
        strands.executeOn(strands.strandOf(7), after::countDown);
        await(after, "the tasks after the failing ones ran");
    }

    @Test
    void executeAllRunsItsTasksInOrderAfterWhatIsQueuedThere() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        strands.executeOn(1, () -> seen.add("queued before"));
        strands.executeAll(1, List.of(
                () -> seen.add("first"),
                () -> {
                    throw new IllegalStateException("a handler bug");
                },
                () -> seen.add("third"),
                done::countDown));
        await(done, "the last task of the batch ran");
        assertEquals(List.of("queued before", "first", "third"), seen,
                "a failing task of the batch does not stop the ones after it");
    }

    @Test
    void drainWaitsForTheTasksQueuedBeforeIt() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        AtomicInteger quickOnesRun = new AtomicInteger();
        strands.execute(0, () -> {
            started.countDown();
            try {
                gate.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finished.set(true);
        });
        for (long key = 0; key < 100; key++) {
            strands.execute(key, quickOnesRun::incrementAndGet);
        }
        await(started, "the slow task is running");

        AtomicBoolean finishedWhenDrained = new AtomicBoolean();
        CountDownLatch drained = new CountDownLatch(1);
        Thread drainer = new Thread(() -> {
            try {
                strands.drain(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finishedWhenDrained.set(finished.get());
            drained.countDown();
        }, "drainer");
        drainer.start();
        awaitWaitingOrEnded(drainer);
        assertEquals(1, drained.getCount(), "drain does not return while a task queued before it runs");
        gate.countDown();
        await(drained, "drain returned");
        assertTrue(finishedWhenDrained.get(), "the slow task had finished when drain returned");
        assertEquals(100, quickOnesRun.get(), "and so had every other task queued before it");
    }

    /** Until {@code thread} waits for something (drain: for its strands) or has ended. */
    private static void awaitWaitingOrEnded(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (thread.getState() != Thread.State.TIMED_WAITING && thread.getState() != Thread.State.TERMINATED) {
            assertTrue(System.nanoTime() < deadline, "the drainer neither waits nor ends");
            Thread.yield();
        }
    }

    @Test
    void shutdownLetsTheQueuedTasksFinish() throws Exception {
        AtomicInteger run = new AtomicInteger();
        for (long key = 0; key < TASKS; key++) {
            strands.execute(key, run::incrementAndGet);
        }
        strands.shutdown(5, TimeUnit.SECONDS);
        assertEquals(TASKS, run.get());
    }

    @Test
    void workQueuedAfterShutdownIsDroppedWithoutAnError() throws Exception {
        strands.shutdown(5, TimeUnit.SECONDS);
        AtomicBoolean ran = new AtomicBoolean();
        assertDoesNotThrow(() -> {
            strands.execute(7, () -> ran.set(true));
            strands.executeOn(0, () -> ran.set(true));
            strands.executeAll(1, List.of(() -> ran.set(true)));
        });
        assertFalse(ran.get());
    }
}
