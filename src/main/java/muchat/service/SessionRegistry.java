package muchat.service;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import muchat.protocol.Errno;
import muchat.protocol.Kicked;
import muchat.text.Printable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users logged in on this instance and the sessions of their devices; with the
 * {@link OtherInstances}, it answers who is online anywhere, and makes sure each device
 * of a user has one live session in the whole cluster, and a user no more than
 * {@code maxDevices}.
 *
 * <p>It owns a session's life with a user: {@link #claim} at login, {@link #bind} once
 * LOGIN_ACK is on its way, then {@link #leave} (LOGINOUT, disconnect, a second login on
 * the same connection, the server stopping) or a kick by a newer login of the same
 * device, here or on another instance ({@link #kickHolder}).
 *
 * <p>A login claims its (user, device) ({@link #claim}): here, by becoming that device's
 * entry, and in the cluster, where the last claim of a device wins and the instance it
 * replaced is told to kick. Both happen under one lock per user, so two logins on this
 * instance reach the cluster in the order they replaced each other here: the session
 * kicked here is never the one the cluster keeps. The loser is kicked by its claim
 * ({@link Claim}), on its own strand.
 *
 * <p>Each user's devices are an immutable map, replaced under the user's lock, so that
 * the many readers (every push) never lock.
 *
 * <p>Threads: lookups from any thread. {@link #claim}, {@link #bind} and {@link #leave} on
 * the session's strand; {@link #kickHolder} from any thread, and the kick itself runs on
 * the kicked session's strand, so a login still under way there has finished.
 */
final class SessionRegistry {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);
    /** Stripes of the per-user lock: a login waits only for logins hashed to its stripe. */
    private static final int LOCKS = 256;

    /** uid to its devices here (device to session), never empty. */
    private final Map<Long, Map<String, Session>> byUser = new ConcurrentHashMap<>();
    private final Object[] locks = new Object[LOCKS];
    /** Starts at the start time in microseconds, so that a restarted instance never reuses an id. */
    private final AtomicLong lastClaimId = new AtomicLong(System.currentTimeMillis() * 1000);
    private final OtherInstances cluster;
    private final Strands strands;
    private final int maxDevices;
    /** Told each time a user's last session here is forgotten (see {@link #onDeparture}). */
    private volatile LongConsumer departures = uid -> { };

    /** A login that a newer one replaced here: its session is to be kicked if it still holds the claim. */
    private record Superseded(Session session, Claim claim) {
    }

    SessionRegistry(OtherInstances cluster, Strands strands, int maxDevices) {
        this.cluster = cluster;
        this.strands = strands;
        this.maxDevices = maxDevices;
        for (int i = 0; i < LOCKS; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * Makes {@code session} the one live session of {@code device} of {@code uid}, here
     * and in the cluster (which kicks a session of that device on another instance); a
     * session of that device here is kicked on its own strand. A session that held
     * another login leaves it first. The session's strand.
     *
     * <p>The claim is atomic: of two logins racing anywhere, the later claim survives and
     * the other is kicked on its own strand, after its own login task has finished.
     *
     * @return true if the user had no session here before: it arrived on this instance
     * @throws ServiceError errno 16 if the user has {@code maxDevices} other devices
     *     logged in, here or anywhere in the cluster; nothing was claimed then
     */
    boolean claim(Session session, long uid, String device) {
        if (session.claim() != null) {
            leave(session, "logged in again");
        }
        Superseded older;
        try {
            older = claim(uid, device, session);
        } catch (ServiceError e) {
            log.info("login refused user={} device={} {} reason=too-many-devices", uid, Printable.escape(device),
                    session.connection());
            throw e;
        }
        if (older != null) {
            kickOnStrand(older.session(), older.claim(),
                    "logged in again from " + session.connection().peerAddress());
            return false;
        }
        return sessionsOf(uid).size() == 1;
    }

    /**
     * Binds the claimed user to the session once LOGIN_ACK has been sent: pushes flow
     * from {@code acked} on. The session's strand.
     */
    void bind(Session session, long uid, String device, String name, long acked) {
        session.bind(uid, device, name, acked);
        log.info("login user={} device={} {} instance={}", uid, Printable.escape(device), session.connection(),
                cluster.instanceId());
    }

    /** Unbinds the session's user, if any, and gives up its claim if it still holds it. The session's strand. */
    void leave(Session session, String why) {
        long uid = session.unbind();
        Claim claim = session.claim();
        if (claim != null && release(session, claim) && uid != 0) {
            log.info("logout user={} device={} {} reason={}", uid, Printable.escape(claim.device()),
                    session.connection(), why);
        }
    }

    /**
     * Another instance's login took the claim {@code claimId} of one device of {@code uid}:
     * the session holding it here, if any still does, is kicked. Only a newer login of that
     * device here replaces it, and that one kicked it already. Any thread.
     */
    void kickHolder(long uid, long claimId, String why) {
        Session session = holder(uid, claimId);
        Claim claim = session == null ? null : session.claim();
        if (claim != null && claim.id() == claimId) {
            kickOnStrand(session, claim, why);
        }
    }

    private void kickOnStrand(Session session, Claim lost, String why) {
        strands.execute(session.strandKey(), () -> kick(session, lost, why));
    }

    /**
     * Ends a session because a newer login took its claim {@code lost}: KICKED (native),
     * then close. A session that no longer holds {@code lost} (it left, or logged in again
     * since and so holds a newer claim) is left alone. The session's strand.
     */
    private void kick(Session session, Claim lost, String why) {
        if (!release(session, lost)) {
            return;
        }
        session.unbind();
        log.info("kicked user={} device={} {} reason={}", lost.uid(), Printable.escape(lost.device()),
                session.connection(), why);
        if (!session.isLegacy()) {
            session.send(new Kicked("you logged in somewhere else"));
        }
        session.closeAfterGrace();
    }

    /**
     * The claim itself, under the user's lock (see the class comment).
     *
     * @return the local login it replaced, for the caller to kick; null if none
     */
    private Superseded claim(long uid, String device, Session session) {
        Claim claim = new Claim(uid, device, lastClaimId.incrementAndGet());
        synchronized (lockOf(uid)) {
            Map<String, Session> devices = byUser.getOrDefault(uid, Map.of());
            Session older = devices.get(device);
            if (older == null && devices.size() >= maxDevices) {
                throw tooManyDevices();
            }
            // The entry before the cluster claim: a kick of this claim from another instance
            // may arrive as soon as Redis has it, and must find the session.
            session.setClaim(claim);
            Map<String, Session> now = new HashMap<>(devices);
            now.put(device, session);
            byUser.put(uid, Map.copyOf(now));
            if (older == null) {
                devices.values().forEach(other -> other.setSeveralDevices(true));
            }
            if (!cluster.claim(uid, device, claim.id(), maxDevices)) {
                session.dropClaim(claim);
                setDevices(uid, devices);
                throw tooManyDevices();
            }
            // Under the lock the older session cannot claim this device again; a claim of
            // another user or device (it is switching) or none (it is leaving) is not ours to kick.
            Claim olderClaim = older == null || older == session ? null : older.claim();
            return olderClaim == null || olderClaim.uid() != uid || !olderClaim.device().equals(device)
                    ? null : new Superseded(older, olderClaim);
        }
    }

    /** Under the user's lock. */
    private void setDevices(long uid, Map<String, Session> devices) {
        if (devices.isEmpty()) {
            byUser.remove(uid);
        } else {
            byUser.put(uid, Map.copyOf(devices));
        }
    }

    private ServiceError tooManyDevices() {
        return new ServiceError(Errno.FORBIDDEN, "already logged in on " + maxDevices
                + " devices: log out of one, or log in again with the name of one of them");
    }

    /**
     * Ends {@code claim} if {@code session} still holds it: forgets the session here and
     * gives up the cluster claim, which is a no-op if a newer login has taken it.
     *
     * @return false if the session no longer held that claim
     */
    private boolean release(Session session, Claim claim) {
        if (!session.dropClaim(claim)) {
            return false;
        }
        boolean removed;
        boolean last = false;
        synchronized (lockOf(claim.uid())) {
            Map<String, Session> devices = byUser.getOrDefault(claim.uid(), Map.of());
            removed = devices.get(claim.device()) == session;
            if (removed) {
                Map<String, Session> now = new HashMap<>(devices);
                now.remove(claim.device());
                setDevices(claim.uid(), now);
                last = now.isEmpty();
            }
        }
        if (removed) {
            cluster.release(claim.uid(), claim.device(), claim.id());
            if (last) {
                departures.accept(claim.uid());
            }
        }
        return true;
    }

    /**
     * Whether what {@code session}'s user sends is copied to its own inbox, for its other
     * devices (docs/protocol.md section 2): the user had used other devices when it logged
     * in, another one logged in here since, or another instance holds one.
     */
    boolean severalDevices(Session session) {
        return session.severalDevices() || cluster.mayHaveDevicesElsewhere(session.uid());
    }

    /** The sessions of every device of {@code uid} on this instance; empty if none. */
    Collection<Session> sessionsOf(long uid) {
        return byUser.getOrDefault(uid, Map.of()).values();
    }

    /**
     * Calls {@code listener} with the user each time the user's last session here ends
     * (logout, disconnect, kick from another instance), on the thread that ended it; not
     * when a newer login here replaced it, nor while another device of the user is
     * logged in here. It must return at once.
     */
    void onDeparture(LongConsumer listener) {
        this.departures = listener;
    }

    /**
     * Whether {@code uid} has a session of at least one device, here or on any other
     * instance: what "online" means.
     */
    boolean isOnline(long uid) {
        return onlineAmong(List.of(uid)).contains(uid);
    }

    /** The session here that holds the claim {@code claimId} of {@code uid}, or null. */
    private Session holder(long uid, long claimId) {
        for (Session session : sessionsOf(uid)) {
            Claim claim = session.claim();
            if (claim != null && claim.id() == claimId) {
                return session;
            }
        }
        return null;
    }

    /** Every session of every user here. */
    List<Session> sessions() {
        return byUser.values().stream().flatMap(devices -> devices.values().stream()).toList();
    }

    /** Users with at least one device here. */
    int size() {
        return byUser.size();
    }

    /** Which of {@code uids} are online (on at least one device) here or on any other instance. */
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

    private Object lockOf(long uid) {
        return locks[Math.floorMod(Long.hashCode(uid), LOCKS)];
    }
}
