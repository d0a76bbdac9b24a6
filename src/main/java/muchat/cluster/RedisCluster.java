package muchat.cluster;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import muchat.service.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster of muchat instances, coordinated through one Redis: presence of users,
 * kicks of older sessions, and the fast path for pushes (see the package overview for
 * the keys and channels).
 *
 * <p>Threads: {@link #claim}, {@link #release}, {@link #onlineAmong} and {@link #push} may
 * be called from any thread. Claims of one user are serialized by the caller; here, a
 * per-user lock also keeps a claim that waited for Redis from overtaking a newer one
 * of the same user. Two threads of its own: the subscriber thread makes every {@link Listener}
 * call and re-registers the local users after Redis comes back; the presence thread
 * refreshes the TTL of every local user every TTL/3. A release that overlaps a refresh
 * may leave the user present for up to one TTL; pushes to it then find no session, and
 * the message waits in the database as for any offline user.
 *
 * <p>While Redis is down nothing here throws or waits: claims are remembered and sent
 * when Redis is back, pushes return false, {@link #onlineAmong} returns nobody.
 */
public final class RedisCluster implements Cluster {
    private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);
    /** How long a user stays present after its instance stopped refreshing (died). */
    public static final Duration DEFAULT_PRESENCE_TTL = Duration.ofSeconds(15);
    private static final long FIRST_SUBSCRIBE_WAIT_MILLIS = 2000;
    /** Stripes of the per-user lock around sending a user's claims. */
    private static final int LOCKS = 64;
    private static final Listener NO_LISTENER = new Listener() {
        @Override public void onPush(long uid, long seq, byte[] json) { }
        @Override public void onSignal(long uid, byte[] json) { }
        @Override public void onKick(long uid, long claimId) { }
        @Override public void onResync() { }
    };

    private final String instanceId;
    private final RedisLink link;
    private final Presence presence;
    private final Subscriber subscriber;
    private final ScheduledExecutorService presenceThread;
    /** Users whose sessions live on this instance, to the claim id of their login. */
    private final Map<Long, Long> held = new ConcurrentHashMap<>();
    /** Claims (uid to claim id) that could not reach Redis; sent, kicks included, as soon as it is back. */
    private final Map<Long, Long> pendingClaims = new ConcurrentHashMap<>();
    private final Object[] locks = new Object[LOCKS];
    private volatile Listener listener = NO_LISTENER;

    private RedisCluster(RedisAddress address, String instanceId, Duration presenceTtl) {
        this.instanceId = instanceId;
        for (int i = 0; i < LOCKS; i++) {
            locks[i] = new Object();
        }
        this.link = new RedisLink(address, instanceId);
        this.presence = new Presence(instanceId, presenceTtl.toMillis());
        long refreshMillis = Math.max(1, presenceTtl.toMillis() / 3);
        // Three unanswered pings: the subscriber connection is dead even without a FIN.
        int silenceMillis = (int) Math.min(Integer.MAX_VALUE, refreshMillis * 3 + RedisLink.CONNECT_TIMEOUT_MILLIS);
        this.subscriber = new Subscriber(link, instanceId, silenceMillis, this::onSubscribed, this::onMessage);
        link.onDown(subscriber::reconnect);
        this.presenceThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "muchat-presence-" + instanceId);
            t.setDaemon(true);
            return t;
        });
        presenceThread.scheduleWithFixedDelay(this::tick, refreshMillis, refreshMillis, TimeUnit.MILLISECONDS);
    }

    /** Connects with the default presence TTL; see {@link #connect(String, String, Duration)}. */
    public static RedisCluster connect(String redis, String instanceId) {
        return connect(redis, instanceId, DEFAULT_PRESENCE_TTL);
    }

    /**
     * Joins the cluster at Redis {@code redis} (see {@link RedisAddress}) as {@code instanceId}.
     * Waits up to 2 s for the subscription to this instance's channel; if Redis is not
     * reachable yet, returns anyway and keeps trying in the background.
     *
     * @throws IllegalArgumentException if {@code redis} is malformed
     * @throws RedisRefusedException if Redis refuses the credentials
     */
    public static RedisCluster connect(String redis, String instanceId, Duration presenceTtl) {
        RedisAddress address = RedisAddress.parse(redis);
        RedisLink.checkAccess(address);
        RedisCluster cluster = new RedisCluster(address, instanceId, presenceTtl);
        cluster.subscriber.start();
        try {
            if (!cluster.subscriber.awaitFirstSubscribe(FIRST_SUBSCRIBE_WAIT_MILLIS)) {
                log.warn("redis not subscribed yet at {} instance={}; serving without the fast path until it is",
                        address, instanceId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return cluster;
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    @Override
    public void setListener(Listener listener) {
        this.listener = listener;
    }

    @Override
    public void claim(long uid, long claimId) {
        synchronized (lockOf(uid)) {
            boolean sent = sendClaim(uid, claimId);
            // Only now: a refresh that saw the user still held elsewhere would kick this session.
            held.put(uid, claimId);
            if (sent) {
                pendingClaims.remove(uid);
            } else {
                pendingClaims.put(uid, claimId);
            }
        }
    }

    /** @return false if Redis could not be reached */
    private boolean sendClaim(long uid, long claimId) {
        return link.call(jedis -> {
            String previous = presence.claim(jedis, uid, claimId);
            if (previous != null && !previous.equals(instanceId)) {
                log.info("kick sent user={} to instance={}", uid, previous);
            }
            return true;
        }, false);
    }

    @Override
    public void release(long uid, long claimId) {
        synchronized (lockOf(uid)) {
            held.remove(uid, claimId);
            pendingClaims.remove(uid, claimId);
        }
        // Only deletes this claim, so it may run after a newer one; if Redis is down the key expires after the TTL.
        link.call(jedis -> {
            presence.release(jedis, uid, claimId);
            return null;
        }, null);
    }

    private Object lockOf(long uid) {
        return locks[Math.floorMod(Long.hashCode(uid), LOCKS)];
    }

    @Override
    public Set<Long> onlineAmong(Collection<Long> uids) {
        List<Long> list = List.copyOf(uids);
        return link.call(jedis -> presence.onlineAmong(jedis, list), Set.of());
    }

    @Override
    public int push(List<Push> pushes) {
        return link.call(jedis -> presence.push(jedis, pushes), 0);
    }

    /** Presence thread: keeps the subscriber connection and every local user's presence alive. */
    private void tick() {
        subscriber.ping();
        register();
    }

    /** Sends the claims Redis missed, refreshes every local user, and notices users taken meanwhile. */
    private void register() {
        try {
            sendPendingClaims();
            Map<Long, Long> claims = Map.copyOf(held);
            List<Long> lost = link.call(jedis -> presence.refreshAll(jedis, claims), List.of());
            for (long uid : lost) {
                long claimId = claims.get(uid);
                if (held.remove(uid, claimId)) {
                    kickLocally(uid, claimId);
                }
            }
        } catch (RuntimeException e) {
            // An exception would cancel the schedule and let every user expire.
            log.error("presence refresh failed instance={}", instanceId, e);
        }
    }

    /** Sends each user's latest pending claim; one that a newer claim or a release replaced meanwhile is not sent. */
    private void sendPendingClaims() {
        for (Map.Entry<Long, Long> pending : Map.copyOf(pendingClaims).entrySet()) {
            long uid = pending.getKey();
            long claimId = pending.getValue();
            synchronized (lockOf(uid)) {
                if (Long.valueOf(claimId).equals(pendingClaims.get(uid))) {
                    if (!sendClaim(uid, claimId)) {
                        return;
                    }
                    pendingClaims.remove(uid, claimId);
                }
            }
        }
    }

    /**
     * Another instance took the user while its kick could not reach us (Redis was down):
     * deliver that kick through our own channel, so the listener still hears it on the
     * subscriber thread.
     */
    private void kickLocally(long uid, long claimId) {
        log.info("user={} is held by another instance now; kicking the local session instance={}", uid, instanceId);
        link.call(jedis -> jedis.publish(Presence.channelOf(instanceId), ClusterMessage.kick(uid, claimId).encode()), 0L);
    }

    /** Subscriber thread, after every (re)subscribe. */
    private void onSubscribed() {
        if (!link.markUp()) {
            return;
        }
        register();
        if (link.isUp()) {
            log.info("resync after redis outage instance={} users={}", instanceId, held.size());
            guarded("resync", 0, () -> listener.onResync());
        }
    }

    /** Subscriber thread. */
    private void onMessage(byte[] bytes) {
        ClusterMessage.decode(bytes).ifPresentOrElse(m -> {
            switch (m.kind()) {
                case PUSH -> guarded("push", m.uid(), () -> listener.onPush(m.uid(), m.seq(), m.body()));
                case SIGNAL -> guarded("signal", m.uid(), () -> listener.onSignal(m.uid(), m.body()));
                case KICK -> guarded("kick", m.uid(), () -> listener.onKick(m.uid(), m.claimId()));
            }
        }, () -> log.warn("dropped malformed cluster message instance={} length={}", instanceId, bytes.length));
    }

    /** A listener that throws must not take the subscriber thread with it. */
    private void guarded(String event, long uid, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.error("listener failed on {} user={} instance={}", event, uid, instanceId, e);
        }
    }

    /** Stops the threads without releasing anyone: what a killed instance leaves behind. */
    void stopWithoutReleasing() {
        presenceThread.shutdownNow();
        subscriber.close();
        try {
            presenceThread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops, and releases every local user at once so that the others see them offline now. */
    @Override
    public void close() {
        stopWithoutReleasing();
        Map<Long, Long> claims = Map.copyOf(held);
        link.call(jedis -> {
            presence.releaseAll(jedis, claims);
            return null;
        }, null);
        held.clear();
        link.close();
    }
}
