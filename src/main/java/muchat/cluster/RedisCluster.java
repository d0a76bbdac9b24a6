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
import muchat.service.OtherInstances;
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
 * call and re-registers the local devices after Redis comes back; the presence thread
 * refreshes the TTL of every local device every TTL/3. A release that overlaps a refresh
 * may leave the device present for up to one TTL; pushes to it then find no session, and
 * the message waits in the database as for any offline user.
 *
 * <p>While Redis is down nothing here throws or waits: claims are remembered and sent
 * when Redis is back (the cap on devices is then only checked per instance),
 * {@link #push} reaches nobody and returns 0, {@link #onlineAmong} returns nobody.
 */
public final class RedisCluster implements OtherInstances {
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
    private final RedisPresence presence;
    private final Subscriber subscriber;
    private final ScheduledExecutorService presenceThread;
    /** Devices whose sessions live on this instance, to the claim id of their login. */
    private final Map<Device, Long> held = new ConcurrentHashMap<>();
    /** Claims (device to claim id) that could not reach Redis; sent, kicks included, as soon as it is back. */
    private final Map<Device, Long> pendingClaims = new ConcurrentHashMap<>();
    /** uid to how many of {@link #held} are its devices; changed under the user's lock. */
    private final Map<Long, Integer> devicesHere = new ConcurrentHashMap<>();
    /**
     * Users held here of whom another instance may hold a device too: a push for them goes
     * through Redis even when it reached their sessions here. Set by a claim that found such
     * a device, or by the claim script of the other instance; forgotten with the user's
     * last device here.
     */
    private final Set<Long> shared = ConcurrentHashMap.newKeySet();
    private final Object[] locks = new Object[LOCKS];
    private volatile Listener listener = NO_LISTENER;

    private RedisCluster(RedisAddress address, String instanceId, Duration presenceTtl) {
        this.instanceId = instanceId;
        for (int i = 0; i < LOCKS; i++) {
            locks[i] = new Object();
        }
        this.link = new RedisLink(address, instanceId);
        this.presence = new RedisPresence(instanceId, presenceTtl.toMillis());
        long refreshMillis = Math.max(1, presenceTtl.toMillis() / 3);
        // Three unanswered pings: the subscriber connection is dead even without a FIN.
        int silenceMillis = (int) Math.min(Integer.MAX_VALUE, refreshMillis * 3 + RedisLink.CONNECT_TIMEOUT_MILLIS);
        this.subscriber = new Subscriber(link, instanceId, silenceMillis, this::onSubscribed, this::onMessage);
        link.onDown(subscriber::reconnect);
        this.presenceThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "muchat-redis-presence-" + instanceId);
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
    public boolean claim(long uid, String deviceName, long claimId, int maxDevices) {
        Device device = new Device(uid, deviceName);
        synchronized (lockOf(uid)) {
            RedisPresence.Claimed claimed = sendClaim(device, claimId, maxDevices);
            if (claimed != null && claimed.refused()) {
                return false;
            }
            // Only now: a refresh that saw the device still held elsewhere would kick this session.
            if (held.put(device, claimId) == null) {
                devicesHere.merge(uid, 1, Integer::sum);
            }
            if (claimed == null || claimed.shared()) {
                shared.add(uid); // without Redis nobody can tell: assume company
            }
            if (claimed != null) {
                pendingClaims.remove(device);
            } else {
                pendingClaims.put(device, claimId);
            }
            return true;
        }
    }

    /**
     * A claim sent once Redis is back is never refused: its session is logged in already.
     *
     * @return null if Redis could not be reached
     */
    private RedisPresence.Claimed sendClaim(Device device, long claimId, int maxDevices) {
        return link.call(jedis -> {
            RedisPresence.Claimed claimed = presence.claim(jedis, device, claimId, maxDevices);
            String previous = claimed.previousInstance();
            if (previous != null && !previous.equals(instanceId)) {
                log.info("kick sent user={} to instance={}", device.uid(), previous);
            }
            return claimed;
        }, null);
    }

    @Override
    public void release(long uid, String deviceName, long claimId) {
        Device device = new Device(uid, deviceName);
        synchronized (lockOf(uid)) {
            forget(device, claimId);
            pendingClaims.remove(device, claimId);
        }
        // Only deletes this claim, so it may run after a newer one; if Redis is down the field lapses after the TTL.
        link.call(jedis -> {
            presence.release(jedis, device, claimId);
            return null;
        }, null);
    }

    /** Drops {@code device} from {@link #held} if {@code claimId} still holds it; under the user's lock. */
    private boolean forget(Device device, long claimId) {
        if (!held.remove(device, claimId)) {
            return false;
        }
        if (devicesHere.merge(device.uid(), -1, Integer::sum) <= 0) {
            devicesHere.remove(device.uid());
            shared.remove(device.uid());
        }
        return true;
    }

    @Override
    public boolean mayHaveDevicesElsewhere(long uid) {
        return shared.contains(uid);
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

    /** Sends the claims Redis missed, refreshes every local device, and notices devices taken meanwhile. */
    private void register() {
        try {
            sendPendingClaims();
            Map<Device, Long> claims = Map.copyOf(held);
            List<Device> lost = link.call(jedis -> presence.refreshAll(jedis, claims), List.of());
            for (Device device : lost) {
                long claimId = claims.get(device);
                boolean forgotten;
                synchronized (lockOf(device.uid())) {
                    forgotten = forget(device, claimId);
                }
                if (forgotten) {
                    kickLocally(device.uid(), claimId);
                }
            }
        } catch (RuntimeException e) {
            // An exception would cancel the schedule and let every user expire.
            log.error("presence refresh failed instance={}", instanceId, e);
        }
    }

    /** Sends each device's latest pending claim; one that a newer claim or a release replaced meanwhile is not sent. */
    private void sendPendingClaims() {
        for (Map.Entry<Device, Long> pending : Map.copyOf(pendingClaims).entrySet()) {
            Device device = pending.getKey();
            long claimId = pending.getValue();
            synchronized (lockOf(device.uid())) {
                if (Long.valueOf(claimId).equals(pendingClaims.get(device))) {
                    if (sendClaim(device, claimId, Integer.MAX_VALUE) == null) {
                        return;
                    }
                    pendingClaims.remove(device, claimId);
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
        log.info("a device of user={} is held by another instance now; kicking the local session instance={}",
                uid, instanceId);
        link.call(jedis -> jedis.publish(RedisPresence.channelOf(instanceId), ClusterMessage.kick(uid, claimId).encode()), 0L);
    }

    /** Subscriber thread, after every (re)subscribe. */
    private void onSubscribed() {
        if (!link.markUp()) {
            return;
        }
        register();
        if (link.isUp()) {
            log.info("resync after redis outage instance={} devices={}", instanceId, held.size());
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
                case SHARED -> shared.add(m.uid());
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

    /** Stops, and releases every local device at once so that the others see them offline now. */
    @Override
    public void close() {
        stopWithoutReleasing();
        Map<Device, Long> claims = Map.copyOf(held);
        link.call(jedis -> {
            presence.releaseAll(jedis, claims);
            return null;
        }, null);
        held.clear();
        devicesHere.clear();
        shared.clear();
        link.close();
    }
}
