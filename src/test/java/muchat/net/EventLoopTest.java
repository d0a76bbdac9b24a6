package muchat.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventLoopTest {
    private LoopThread running;
    private EventLoop loop;

    @BeforeEach
    void startLoop() {
        running = new LoopThread("test-loop");
        loop = running.loop();
    }

    @AfterEach
    void stopLoop() throws InterruptedException {
        running.close();
    }

    @Test
    void tasksFromForeignThreadsRunInTheLoopThreadInOrder() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        AtomicReference<Thread> ranIn = new AtomicReference<>();
        for (int i = 0; i < 1000; i++) {
            int n = i;
            loop.queueInLoop(() -> {
                ranIn.set(Thread.currentThread());
                seen.add(n);
            });
        }
        onLoop(() -> null);
        assertEquals(1000, seen.size());
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, seen.get(i));
        }
        assertSame(running.thread(), ranIn.get());
    }

    @Test
    void runInLoopRunsAtOnceInTheLoopThread() throws Exception {
        List<String> order = onLoop(() -> {
            List<String> steps = new CopyOnWriteArrayList<>();
            loop.runInLoop(() -> steps.add("inner"));
            steps.add("after");
            return steps;
        });
        assertEquals(List.of("inner", "after"), order);
    }

    @Test
    void aTaskQueuedByATaskRunsInALaterIterationNotNever() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        loop.queueInLoop(() -> loop.queueInLoop(done::countDown));
        assertTrue(done.await(5, TimeUnit.SECONDS));
    }

    @Test
    void timersFireInDeadlineOrder() throws Exception {
        List<Integer> fired = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(3);
        loop.runAfter(60, () -> { fired.add(60); all.countDown(); });
        loop.runAfter(20, () -> { fired.add(20); all.countDown(); });
        loop.runAfter(40, () -> { fired.add(40); all.countDown(); });
        assertTrue(all.await(5, TimeUnit.SECONDS));
        assertEquals(List.of(20, 40, 60), fired);
    }

    @Test
    void aCancelledTimerNeverFires() throws Exception {
        AtomicInteger cancelledRuns = new AtomicInteger();
        CountDownLatch later = new CountDownLatch(1);
        TimerId timer = loop.runAfter(30, cancelledRuns::incrementAndGet);
        loop.cancel(timer);
        loop.runAfter(80, later::countDown);
        assertTrue(later.await(5, TimeUnit.SECONDS));
        assertEquals(0, cancelledRuns.get());
    }

    @Test
    void aRepeatingTimerRepeatsUntilItCancelsItself() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch third = new CountDownLatch(1);
        AtomicReference<TimerId> self = new AtomicReference<>();
        self.set(loop.runEvery(5, () -> {
            if (runs.incrementAndGet() == 3) {
                loop.cancel(self.get());
                third.countDown();
            }
        }));
        assertTrue(third.await(5, TimeUnit.SECONDS));
        CountDownLatch afterwards = new CountDownLatch(1);
        loop.runAfter(50, afterwards::countDown);
        assertTrue(afterwards.await(5, TimeUnit.SECONDS));
        assertEquals(3, runs.get());
    }

    @Test
    void aFailingTaskDoesNotKillTheLoop() throws Exception {
        loop.queueInLoop(() -> {
            throw new IllegalStateException("boom (expected by the test)");
        });
        assertEquals("alive", onLoop(() -> "alive"));
    }

    @Test
    void loopOnlyMethodsFailFastFromAForeignThread() {
        AssertionError e = assertThrows(AssertionError.class, loop::assertInLoopThread);
        assertTrue(e.getMessage().contains("test-loop"), e.getMessage());
        assertThrows(AssertionError.class, () -> loop.channels());
    }

    @Test
    void quitFromAForeignThreadWakesABlockedLoop() throws Exception {
        onLoop(() -> null); // the loop is now idle in select with no timers
        long start = System.nanoTime();
        loop.quit();
        running.thread().join(5000);
        assertFalse(running.thread().isAlive(), "the loop thread ended");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4));
    }

    private <T> T onLoop(java.util.concurrent.Callable<T> work) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.queueInLoop(() -> {
            try {
                result.complete(work.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(5, TimeUnit.SECONDS);
    }
}
