package muchat.cluster;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import muchat.service.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;

/**
 * The cluster of muchat instances, coordinated through one Redis: presence of users,
 * kicks of older sessions, and the fast path for pushes (see the package overview for
 * the keys and channels).
 *
 * <p>Threads: {@link #claim}, {@link #release}, {@link #onlineAmong} and {@link #push} may
 * be called from any thread (claim and release of one user in order, as a session's
 * strand does). Two threads of its own: the subscriber thread makes every {@link Listener}
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
    private static final Listener NO_LISTENER = new Listener() {
        @Override public void onPush(long uid, long seq, byte[] json) { }
        @Override public void onKick(long uid) { }
        @Override public void onResync() { }
    };

    private final String instanceId;
    private final RedisLink link;
    private final Presence presence;
    private final Subscriber subscriber;
    private final ScheduledExecutorService presenceThread;
    /** Users whose sessions live on this instance. */
    private final Set<Long> held = ConcurrentHashMap.newKeySet();
    /** Claims that could not reach Redis; sent, kicks included, as soon as it is back. */
    private final Set<Long> pendingClaims = ConcurrentHashMap.newKeySet();
    private volatile Listener listener = NO_LISTENER;

    private RedisCluster(HostAndPort address, String instanceId, Duration presenceTtl) {
        this.instanceId = instanceId;
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
    public static RedisCluster connect(String hostPort, String instanceId) {
        return connect(hostPort, instanceId, DEFAULT_PRESENCE_TTL);
    }

    /**
     * Joins the cluster at Redis {@code hostPort} ("host:port") as {@code instanceId}.
     * Waits up to 2 s for the subscription to this instance's channel; if Redis is not
     * reachable yet, returns anyway and keeps trying in the background.
     */
    public static RedisCluster connect(String hostPort, String instanceId, Duration presenceTtl) {
        RedisCluster cluster = new RedisCluster(HostAndPort.from(hostPort), instanceId, presenceTtl);
        cluster.subscriber.start();
        try {
            if (!cluster.subscriber.awaitFirstSubscribe(FIRST_SUBSCRIBE_WAIT_MILLIS)) {
                log.warn("redis not subscribed yet at {} instance={}; serving without the fast path until it is",
                        hostPort, instanceId);
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
    public void claim(long uid) {
        boolean sent = sendClaim(uid);
        // Only now: a refresh that saw the user still held elsewhere would kick this session.
        held.add(uid);
        if (!sent) {
            pendingClaims.add(uid);
        }
    }

    /** @return false if Redis could not be reached */
    private boolean sendClaim(long uid) {
        return link.call(jedis -> {
            String previous = presence.claim(jedis, uid);
            if (previous != null && !previous.equals(instanceId)) {
                log.info("kick sent user={} to instance={}", uid, previous);
            }
            return true;
        }, false);
    }

    @Override
    public void release(long uid) {
        held.remove(uid);
        pendingClaims.remove(uid);
        // If Redis is down the key simply expires after the TTL.
        link.call(jedis -> {
            presence.release(jedis, uid);
            return null;
        }, null);
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
            List<Long> lost = link.call(jedis -> presence.refreshAll(jedis, List.copyOf(held)), List.of());
            for (long uid : lost) {
                if (held.remove(uid)) {
                    kickLocally(uid);
                }
            }
        } catch (RuntimeException e) {
            // An exception would cancel the schedule and let every user expire.
            log.error("presence refresh failed instance={}", instanceId, e);
        }
    }

    private void sendPendingClaims() {
        for (long uid : List.copyOf(pendingClaims)) {
            if (!sendClaim(uid)) {
                return;
            }
            pendingClaims.remove(uid);
        }
    }

    /**
     * Another instance took the user while its kick could not reach us (Redis was down):
     * deliver that kick through our own channel, so the listener still hears it on the
     * subscriber thread.
     */
    private void kickLocally(long uid) {
        log.info("user={} is held by another instance now; kicking the local session instance={}", uid, instanceId);
        link.call(jedis -> jedis.publish(Presence.channelOf(instanceId), ClusterMessage.kick(uid).encode()), 0L);
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
                case PUSH -> guarded("push", m.uid(), () -> listener.onPush(m.uid(), m.seq(), m.json()));
                case KICK -> guarded("kick", m.uid(), () -> listener.onKick(m.uid()));
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
        List<Long> users = List.copyOf(held);
        link.call(jedis -> {
            presence.releaseAll(jedis, users);
            return null;
        }, null);
        held.clear();
        link.close();
    }
}
