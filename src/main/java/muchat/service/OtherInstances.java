package muchat.service;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * What ChatService needs from the other instances of a cluster: who is online where,
 * and a fast path for pushes and kicks to users held by another instance. The service
 * knows only this interface; the {@code cluster} package implements it on Redis.
 *
 * <p>The fast path may lose messages (Redis restarted, an instance died): delivery
 * never depends on it, because every message is in the database first and sessions
 * fill gaps from there. A single instance uses {@link #NONE}.
 *
 * <p>Threads: every method may be called from any thread; the listener is called from
 * the implementation's own subscriber thread.
 */
public interface OtherInstances extends AutoCloseable {

    /** Events that other instances send to this one. */
    interface Listener {
        /** An inbox entry for {@code uid} (a chat message, a friend request or answer), stored with sequence {@code seq}. */
        void onPush(long uid, long seq, byte[] json);

        /** A frame for {@code uid} that is not stored (PRESENCE, TYPING): sent if the user is here, else dropped. */
        void onSignal(long uid, byte[] json);

        /**
         * A login elsewhere took the claim {@code claimId} of {@code uid}: close the
         * session of this instance that holds that claim, if any still does.
         */
        void onKick(long uid, long claimId);

        /**
         * The fast path was down and is back: pushes may have been lost meanwhile, so
         * every local session should catch up from the database.
         */
        void onResync();
    }

    /** This instance's name, unique in the cluster. */
    String instanceId();

    /** False for {@link #NONE}: nobody to push to. */
    default boolean exist() {
        return true;
    }

    void setListener(Listener listener);

    /**
     * Records that {@code device} of {@code uid} is now served by this instance's login
     * {@code claimId}, replacing any earlier claim of that device: the last claim wins,
     * cluster-wide. If another instance held the device, that instance is told which claim
     * it lost ({@link Listener#onKick}). A claim replacing one of this same instance tells
     * nobody: the caller kicks its own session. Claims of one user are made one at a time
     * by the caller.
     *
     * @return false, claiming nothing, if the user has {@code maxDevices} other devices
     *     logged in across the cluster; true if claimed (or remembered to be sent while
     *     the cluster cannot be reached)
     */
    boolean claim(long uid, String device, long claimId, int maxDevices);

    /** Forgets {@code device} of {@code uid}, but only if the claim {@code claimId} still holds it. */
    void release(long uid, String device, long claimId);

    /**
     * False if no other instance holds a device of {@code uid}, a user with a device
     * here, as far as this instance knows: a push that reached its sessions here need
     * not go through the cluster. True when in doubt.
     */
    default boolean mayHaveDevicesElsewhere(long uid) {
        return true;
    }

    /** Which of {@code uids} are online, on at least one device, anywhere in the cluster. */
    Set<Long> onlineAmong(Collection<Long> uids);

    /**
     * A stored inbox entry for {@code uid}, numbered {@code seq}, on its way to the
     * instances holding its devices; with {@code seq} 0, a signal (see {@link Listener#onSignal}).
     */
    record Push(long uid, long seq, byte[] json) {
        public boolean isSignal() {
            return seq == 0;
        }
    }

    /**
     * Sends already-stored messages to the other instances holding a device of their
     * recipients, in one round trip where the implementation can.
     *
     * @return how many reached at least one other instance (the others get theirs from
     *     the database at login)
     */
    int push(List<Push> pushes);

    @Override
    void close();

    /** A one-instance deployment: nobody else to talk to. */
    OtherInstances NONE = new OtherInstances() {
        @Override public String instanceId() { return "local"; }
        @Override public boolean exist() { return false; }
        @Override public boolean mayHaveDevicesElsewhere(long uid) { return false; }
        @Override public void setListener(Listener listener) { }
        @Override public boolean claim(long uid, String device, long claimId, int maxDevices) { return true; }
        @Override public void release(long uid, String device, long claimId) { }
        @Override public Set<Long> onlineAmong(Collection<Long> uids) { return Set.of(); }
        @Override public int push(List<Push> pushes) { return 0; }
        @Override public void close() { }
    };
}
