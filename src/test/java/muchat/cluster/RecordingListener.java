package muchat.cluster;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import muchat.service.OtherInstances;

/** Records what an instance's listener heard, for tests to await. Any thread. */
final class RecordingListener implements OtherInstances.Listener {
    record Push(long uid, long seq, String json) { }

    final List<Push> pushes = new CopyOnWriteArrayList<>();
    final List<Long> kicks = new CopyOnWriteArrayList<>();
    /** The claim id of each kick, in the order of {@link #kicks}. */
    final List<Long> kickedClaims = new CopyOnWriteArrayList<>();
    final List<Thread> threads = new CopyOnWriteArrayList<>();
    volatile int resyncs;

    @Override
    public void onPush(long uid, long seq, byte[] json) {
        threads.add(Thread.currentThread());
        pushes.add(new Push(uid, seq, new String(json, java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Override
    public void onSignal(long uid, byte[] json) {
        onPush(uid, 0, json);
    }

    @Override
    public void onKick(long uid, long claimId) {
        threads.add(Thread.currentThread());
        kickedClaims.add(claimId);
        kicks.add(uid);
    }

    @Override
    public void onResync() {
        threads.add(Thread.currentThread());
        resyncs++;
    }

    boolean heardPush(Predicate<Push> p) {
        return pushes.stream().anyMatch(p);
    }
}
