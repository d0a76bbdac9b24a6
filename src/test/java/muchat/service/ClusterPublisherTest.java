package muchat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import muchat.protocol.ChatMessage;
import org.junit.jupiter.api.Test;

class ClusterPublisherTest {
    private static final ChatMessage MESSAGE = ChatMessage.toUser(1, "a", 2, "hi", 0, 1);

    /** A cluster whose first push hangs until released, as a Redis that stopped answering. */
    private static final class StuckCluster implements OtherInstances {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger pushed = new AtomicInteger();

        @Override
        public int push(List<Push> pushes) {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pushed.addAndGet(pushes.size());
            return pushes.size();
        }

        @Override public String instanceId() { return "stuck"; }
        @Override public void setListener(Listener listener) { }
        @Override public boolean claim(long uid, String device, long claimId, int maxDevices) { return true; }
        @Override public void release(long uid, String device, long claimId) { }
        @Override public Set<Long> onlineAmong(Collection<Long> uids) { return Set.of(); }
        @Override public void close() { }
    }

    @Test
    void aStuckRedisNeverHoldsUpTheCallerAndTheOverflowIsDropped() throws Exception {
        StuckCluster cluster = new StuckCluster();
        ClusterPublisher publisher = new ClusterPublisher(cluster);
        publisher.add(2, 1, MESSAGE);
        assertTrue(cluster.entered.await(5, TimeUnit.SECONDS), "the first push is in flight");

        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int i = 0; i < ClusterPublisher.CAPACITY + 50; i++) {
                publisher.add(2, 2 + i, MESSAGE);
            }
        }, "adding never waits for Redis");
        cluster.release.countDown();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cluster.pushed.get() < ClusterPublisher.CAPACITY + 1 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        publisher.close();
        assertEquals(ClusterPublisher.CAPACITY + 1, cluster.pushed.get(),
                "the one in flight and a full queue are sent; the 50 beyond it were dropped");
    }
}
