package muchat.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import muchat.service.Cluster;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The Redis data of a cluster and the scripts that change it, one round trip each (or
 * one pipeline for many).
 *
 * <p>Keys: {@code muchat:user:<uid>} holds the claim of the login serving the user,
 * {@code <claim id>@<instance id>}, and expires after the presence TTL unless that
 * instance refreshes it; a dead instance's users therefore go offline by themselves.
 * Channels: {@code muchat:inst:<id>} carries the {@link ClusterMessage}s for one instance.
 *
 * <p>Immutable; any thread, each call on the caller's own {@link Jedis}.
 */
final class Presence {
    static final String USER_KEY_PREFIX = "muchat:user:";
    static final String CHANNEL_PREFIX = "muchat:inst:";
    /** Users per pipeline when refreshing: large enough to amortise, small enough to never stall Redis. */
    private static final int BATCH = 1000;

    /**
     * Takes the user and, atomically, tells the previous holder which of its claims to
     * kick. The claim of this same instance is kicked by the instance itself: its logins
     * of one user claim one at a time, under a lock.
     */
    private static final LuaScript CLAIM = new LuaScript("""
            local old = redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'GET')
            if old and old ~= ARGV[1] then
              local id, holder = string.match(old, '^(%d+)@(.*)$')
              if holder and holder ~= ARGV[5] then
                redis.call('PUBLISH', ARGV[3] .. holder, ARGV[4] .. id)
              end
            end
            return old
            """);
    /** Deletes only our own claim, so a late release never erases a newer login, here or elsewhere. */
    private static final LuaScript RELEASE = new LuaScript("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """);
    /** Extends our claim, recreates it if it vanished (Redis restarted); 0 if another claim holds it. */
    private static final LuaScript REFRESH = new LuaScript("""
            local holder = redis.call('GET', KEYS[1])
            if holder == ARGV[1] then
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
              return 1
            end
            if not holder then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              return 1
            end
            return 0
            """);
    /** Routes to the holder's channel; returns how many subscribers received it (0 or 1). */
    private static final LuaScript PUSH = new LuaScript("""
            local holder = redis.call('GET', KEYS[1])
            local instance = holder and string.match(holder, '^%d+@(.*)$')
            if not instance then
              return 0
            end
            return redis.call('PUBLISH', ARGV[1] .. instance, ARGV[2])
            """);

    private final String instanceId;
    private final byte[] instanceIdBytes;
    private final byte[] ttlMillis;
    private final byte[] channelPrefix = bytes(CHANNEL_PREFIX);

    Presence(String instanceId, long ttlMillis) {
        this.instanceId = instanceId;
        this.instanceIdBytes = bytes(instanceId);
        this.ttlMillis = bytes(Long.toString(ttlMillis));
    }

    static byte[] channelOf(String instanceId) {
        return bytes(CHANNEL_PREFIX + instanceId);
    }

    /**
     * Takes {@code uid} for the login {@code claimId} of this instance.
     *
     * @return the instance whose claim this replaced, or null
     */
    String claim(Jedis jedis, long uid, long claimId) {
        Object old = CLAIM.run(jedis, List.of(userKey(uid)),
                List.of(value(claimId), ttlMillis, channelPrefix, ClusterMessage.kickHeader(uid), instanceIdBytes));
        if (old == null) {
            return null;
        }
        String holder = new String((byte[]) old, StandardCharsets.UTF_8);
        return holder.substring(holder.indexOf('@') + 1);
    }

    void release(Jedis jedis, long uid, long claimId) {
        RELEASE.run(jedis, List.of(userKey(uid)), List.of(value(claimId)));
    }

    /** Releases many claims (uid to claim id) in pipelined batches (a clean shutdown). */
    void releaseAll(Jedis jedis, Map<Long, Long> claims) {
        RELEASE.load(jedis);
        for (List<Long> batch : batches(claims.keySet())) {
            try (Pipeline p = jedis.pipelined()) {
                for (long uid : batch) {
                    RELEASE.queue(p, List.of(userKey(uid)), List.of(value(claims.get(uid))));
                }
                p.sync();
            }
        }
    }

    /**
     * Extends every claim in {@code claims} (uid to claim id), in pipelined batches.
     *
     * @return the users whose claim another login holds now: their local sessions are stale
     */
    List<Long> refreshAll(Jedis jedis, Map<Long, Long> claims) {
        REFRESH.load(jedis);
        List<Long> lost = new ArrayList<>();
        for (List<Long> batch : batches(claims.keySet())) {
            List<Response<Object>> replies = new ArrayList<>(batch.size());
            try (Pipeline p = jedis.pipelined()) {
                for (long uid : batch) {
                    replies.add(REFRESH.queue(p, List.of(userKey(uid)), List.of(value(claims.get(uid)), ttlMillis)));
                }
                p.sync();
            }
            for (int i = 0; i < batch.size(); i++) {
                if (Long.valueOf(0).equals(replies.get(i).get())) {
                    lost.add(batch.get(i));
                }
            }
        }
        return lost;
    }

    Set<Long> onlineAmong(Jedis jedis, List<Long> uids) {
        if (uids.isEmpty()) {
            return Set.of();
        }
        byte[][] keys = uids.stream().map(Presence::userKey).toArray(byte[][]::new);
        List<byte[]> holders = jedis.mget(keys);
        Set<Long> online = new HashSet<>();
        for (int i = 0; i < keys.length; i++) {
            if (holders.get(i) != null) {
                online.add(uids.get(i));
            }
        }
        return online;
    }

    /**
     * Routes every push to its holder's channel in one pipeline. A server that has
     * forgotten the script (restarted) refuses it, and those pushes go again after
     * loading it, so the script text crosses the network once per restart.
     *
     * @return how many reached a listening instance
     */
    int push(Jedis jedis, List<Cluster.Push> pushes) {
        List<Cluster.Push> refused = new ArrayList<>();
        int received = pipelinePushes(jedis, pushes, refused);
        if (refused.isEmpty()) {
            return received;
        }
        PUSH.load(jedis);
        return received + pipelinePushes(jedis, refused, new ArrayList<>());
    }

    /** @param refused gets the pushes the server refused for not knowing the script */
    private int pipelinePushes(Jedis jedis, List<Cluster.Push> pushes, List<Cluster.Push> refused) {
        List<Response<Object>> replies = new ArrayList<>(pushes.size());
        try (Pipeline p = jedis.pipelined()) {
            for (Cluster.Push push : pushes) {
                replies.add(PUSH.queue(p, List.of(userKey(push.uid())),
                        List.of(channelPrefix, message(push).encode())));
            }
            p.sync();
        }
        int received = 0;
        for (int i = 0; i < replies.size(); i++) {
            try {
                if (replies.get(i).get() instanceof Long n && n > 0) {
                    received++;
                }
            } catch (JedisNoScriptException e) {
                refused.add(pushes.get(i));
            }
        }
        return received;
    }

    private static ClusterMessage message(Cluster.Push push) {
        return push.isSignal() ? ClusterMessage.signal(push.uid(), push.json())
                : ClusterMessage.push(push.uid(), push.seq(), push.json());
    }

    /** What the user's key holds while the login {@code claimId} of this instance serves it. */
    private byte[] value(long claimId) {
        return bytes(claimId + "@" + instanceId);
    }

    private static byte[] userKey(long uid) {
        return bytes(USER_KEY_PREFIX + uid);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<List<Long>> batches(Collection<Long> uids) {
        List<Long> all = new ArrayList<>(uids);
        List<List<Long>> batches = new ArrayList<>();
        for (int from = 0; from < all.size(); from += BATCH) {
            batches.add(all.subList(from, Math.min(all.size(), from + BATCH)));
        }
        return batches;
    }
}
