package muchat.service;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A cluster whose other instances may hold any user: it records what this instance pushes
 * to them, in the order the pushes leave, for a test to take one by one.
 */
final class RecordingInstances implements OtherInstances {
    private final BlockingQueue<Push> pushed = new LinkedBlockingQueue<>();

    /** The next push sent to the other instances, waiting up to 5 s for it. */
    Push next() throws InterruptedException {
        Push push = pushed.poll(5, TimeUnit.SECONDS);
        assertNotNull(push, "a push reached the other instances");
        return push;
    }

    /** The next {@code count} pushes sent to the other instances. */
    List<Push> next(int count) throws InterruptedException {
        List<Push> pushes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pushes.add(next());
        }
        return pushes;
    }

    @Override
    public int push(List<Push> pushes) {
        pushed.addAll(pushes);
        return pushes.size();
    }

    @Override public String instanceId() { return "recording"; }
    @Override public void setListener(Listener listener) { }
    @Override public boolean claim(long uid, String device, long claimId, int maxDevices) { return true; }
    @Override public void release(long uid, String device, long claimId) { }
    @Override public Set<Long> onlineAmong(Collection<Long> uids) { return Set.of(); }
    @Override public void close() { }
}
