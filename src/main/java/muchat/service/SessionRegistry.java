package muchat.service;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The users logged in on this instance and their sessions; with the {@link Cluster}, it
 * answers who is online anywhere, and makes sure a user has one live session in the
 * whole cluster.
 *
 * <p>A login claims its user ({@link #claim}): here, by becoming the user's entry, and in
 * the cluster, where the last claim wins and the instance it replaced is told to kick.
 * Both happen under one lock per user, so two logins on this instance reach the cluster
 * in the order they replaced each other here: the session kicked here is never the one
 * the cluster keeps. The loser is kicked by its claim ({@link Claim}), on its own strand.
 *
 * <p>Threads: any thread. {@link #claim} and {@link #release} for one session are called
 * in order, as its strand does.
 */
final class SessionRegistry {
    /** Stripes of the per-user lock: a login waits only for logins hashed to its stripe. */
    private static final int LOCKS = 256;

    private final Map<Long, Session> byUser = new ConcurrentHashMap<>();
    private final Object[] locks = new Object[LOCKS];
    /** Starts at the start time in microseconds, so that a restarted instance never reuses an id. */
    private final AtomicLong lastClaimId = new AtomicLong(System.currentTimeMillis() * 1000);
    private final Cluster cluster;
    /** Told each time a user's session here is forgotten (see {@link #onDeparture}). */
    private volatile LongConsumer departures = uid -> { };

    /** A login that a newer one replaced here: its session is to be kicked if it still holds the claim. */
    record Superseded(Session session, Claim claim) {
    }

    SessionRegistry(Cluster cluster) {
        this.cluster = cluster;
        for (int i = 0; i < LOCKS; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * Makes {@code session} the user's one live session, here and in the cluster (which
     * kicks a session of the user on another instance).
     *
     * @return the local login it replaced, which the caller kicks; null if none
     */
    Superseded claim(long uid, Session session) {
        Claim claim = new Claim(uid, lastClaimId.incrementAndGet());
        synchronized (locks[Math.floorMod(Long.hashCode(uid), LOCKS)]) {
            session.setClaim(claim);
            Session older = byUser.put(uid, session);
            // Under the lock the older session cannot claim this user again; a claim of
            // another user (it is switching) or none (it is leaving) is not ours to kick.
            Claim olderClaim = older == null || older == session ? null : older.claim();
            cluster.claim(uid, claim.id());
            return olderClaim == null || olderClaim.uid() != uid ? null : new Superseded(older, olderClaim);
        }
    }

    /**
     * Ends {@code claim} if {@code session} still holds it: forgets the session here and
     * gives up the cluster claim, which is a no-op if a newer login has taken it.
     *
     * @return false if the session no longer held that claim
     */
    boolean release(Session session, Claim claim) {
        if (!session.dropClaim(claim)) {
            return false;
        }
        if (byUser.remove(claim.uid(), session)) {
            cluster.release(claim.uid(), claim.id());
            departures.accept(claim.uid());
        }
        return true;
    }

    /**
     * Calls {@code listener} with the user each time the user's session here ends
     * (logout, disconnect, kick from another instance), on the thread that ended it; not
     * when a newer login here replaced it. It must return at once.
     */
    void onDeparture(LongConsumer listener) {
        this.departures = listener;
    }

    /** Whether {@code uid} has a session, here or on any other instance: what "online" means. */
    boolean isOnline(long uid) {
        return onlineAmong(List.of(uid)).contains(uid);
    }

    Session get(long uid) {
        return byUser.get(uid);
    }

    Collection<Session> sessions() {
        return byUser.values();
    }

    int size() {
        return byUser.size();
    }

    /** Which of {@code uids} are online here or on any other instance. */
    Set<Long> onlineAmong(Collection<Long> uids) {
        Set<Long> online = new HashSet<>();
        for (Long uid : uids) {
            if (byUser.containsKey(uid)) {
                online.add(uid);
            }
        }
        if (online.size() < uids.size()) {
            online.addAll(cluster.onlineAmong(uids));
        }
        return online;
    }
}
