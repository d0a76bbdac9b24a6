package muchat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import muchat.net.EventLoop;
import muchat.net.LoopThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A connection's requests reach its strand in the order they were read, batched or not. */
class HandoffTest {
    private static final int KEYS = 50;
    private static final int TASKS_PER_KEY = 200;

    private LoopThread running;
    private EventLoop loop;
    private Strands strands;
    private Handoff handoff;

    @BeforeEach
    void start() {
        running = new LoopThread("handoff-test");
        loop = running.loop();
        strands = new Strands(4);
        handoff = new Handoff(loop, strands);
    }

    @AfterEach
    void stop() throws InterruptedException {
        running.close();
        strands.shutdown(5, TimeUnit.SECONDS);
    }

    @Test
    void everyKeysTasksRunInTheOrderTheyWereHandedOff() throws Exception {
        ConcurrentHashMap<Long, List<Integer>> seen = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(KEYS * TASKS_PER_KEY);
        // Several loop iterations, each handing off a slice of every key's tasks, as a
        // loop does that reads a few frames of many connections at a time.
        for (int from = 0; from < TASKS_PER_KEY; from += 20) {
            int start = from;
            loop.queueInLoop(() -> {
                for (int n = start; n < start + 20; n++) {
                    for (long key = 0; key < KEYS; key++) {
                        long k = key;
                        int value = n;
                        handoff.add(k, () -> {
                            seen.computeIfAbsent(k, x -> new CopyOnWriteArrayList<>()).add(value);
                            done.countDown();
                        });
                    }
                }
            });
        }
        assertTrue(done.await(10, TimeUnit.SECONDS), "every task ran");
        List<Integer> expected = new ArrayList<>();
        for (int n = 0; n < TASKS_PER_KEY; n++) {
            expected.add(n);
        }
        for (long key = 0; key < KEYS; key++) {
            assertEquals(expected, seen.get(key), "tasks of key " + key);
        }
    }

    @Test
    void aFailingTaskDoesNotStopTheOnesHandedOffWithIt() throws Exception {
        CountDownLatch after = new CountDownLatch(1);
        loop.queueInLoop(() -> {
            handoff.add(7, () -> {
                throw new IllegalStateException("a handler bug");
            });
            handoff.add(7, after::countDown);
        });
        assertTrue(after.await(5, TimeUnit.SECONDS), "the task after the failing one ran");
    }
}
