package muchat.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import muchat.service.OtherInstances;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The Redis data of a cluster and the scripts that change it, one round trip each (or
 * one pipeline for many).
 *
 * <p>Keys: {@code muchat:user:<uid>} is a hash with one field per device of the user
 * logged in anywhere, holding {@code <deadline> <claim id>@<instance id>}: the login
 * serving that device, and when it lapses (Redis time, ms) unless that instance
 * refreshes it. The key itself expires one TTL after its last claim or refresh. A dead
 * instance's devices therefore stop counting by themselves, even while the user's other
 * devices keep the key alive: a lapsed field is dropped by the next claim. Channels:
 * {@code muchat:inst:<id>} carries the {@link ClusterMessage}s for one instance.
 *
 * <p>Immutable; any thread, each call on the caller's own {@link Jedis}.
 */
final class RedisPresence {
    static final String USER_KEY_PREFIX = "muchat:user:";
    static final String CHANNEL_PREFIX = "muchat:inst:";
    /** Devices per pipeline when refreshing: large enough to amortise, small enough to never stall Redis. */
    private static final int BATCH = 1000;
    /** What {@link #CLAIM} answers when the user has too many other devices. */
    private static final long REFUSED = -1;

    /**
     * Takes the device, unless the user has {@code max} other live devices, and,
     * atomically, tells the previous holder of the device which of its claims to kick.
     * The claim of this same instance is kicked by the instance itself: its logins of
     * one user claim one at a time, under a lock. Lapsed devices are dropped first. Every
     * other instance holding a device of the user is told it now has company
     * ({@link ClusterMessage.Kind#SHARED}), and the answer says whether there was any.
     * KEYS[1] the user; ARGV: device, claim, TTL, channel prefix, kick header, instance,
     * max, shared notice. Returns -1 if refused, else {previous holder of the device or
     * nil, 1 if another instance holds a device of the user else 0}.
     */
    private static final LuaScript CLAIM = new LuaScript("""
            local t = redis.call('TIME')
            local now = t[1] * 1000 + math.floor(t[2] / 1000)
            local fields = redis.call('HGETALL', KEYS[1])
            local others, old = 0, nil
            for i = 1, #fields, 2 do
              local deadline, holder = string.match(fields[i + 1], '^(%d+) (.*)$')
              if not deadline or tonumber(deadline) < now then
                redis.call('HDEL', KEYS[1], fields[i])
              elseif fields[i] == ARGV[1] then
                old = holder
              else
                others = others + 1
              end
            end
            if not old and others >= tonumber(ARGV[7]) then
              return -1
            end
            redis.call('HSET', KEYS[1], ARGV[1], string.format('%d %s', now + tonumber(ARGV[3]), ARGV[2]))
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            if old and old ~= ARGV[2] then
              local id, holder = string.match(old, '^(%d+)@(.*)$')
              if holder and holder ~= ARGV[6] then
                redis.call('PUBLISH', ARGV[4] .. holder, ARGV[5] .. id)
              end
            end
            local told, shared = {}, 0
            for _, v in ipairs(redis.call('HVALS', KEYS[1])) do
              local instance = string.match(v, '^%d+ %d+@(.*)$')
              if instance and instance ~= ARGV[6] and not told[instance] then
                told[instance] = true
                shared = 1
                redis.call('PUBLISH', ARGV[4] .. instance, ARGV[8])
              end
            end
            return {old or false, shared}
            """);
    /** Deletes only our own claim, so a late release never erases a newer login, here or elsewhere. */
    private static final LuaScript RELEASE = new LuaScript("""
            local v = redis.call('HGET', KEYS[1], ARGV[1])
            if v and string.match(v, '^%d+ (.*)$') == ARGV[2] then
              return redis.call('HDEL', KEYS[1], ARGV[1])
            end
            return 0
            """);
    /**
     * Extends our claim of a device, recreates it if it vanished (Redis restarted or the
     * field lapsed); 0 if another claim holds it. ARGV: device, claim, TTL.
     */
    private static final LuaScript REFRESH = new LuaScript("""
            local v = redis.call('HGET', KEYS[1], ARGV[1])
            local holder = v and string.match(v, '^%d+ (.*)$')
            if holder and holder ~= ARGV[2] then
              return 0
            end
            local t = redis.call('TIME')
            local now = t[1] * 1000 + math.floor(t[2] / 1000)
            redis.call('HSET', KEYS[1], ARGV[1], string.format('%d %s', now + tonumber(ARGV[3]), ARGV[2]))
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return 1
            """);
    /**
     * Publishes to the channel of each other instance holding a device of the user, once
     * per instance; returns how many subscribers received it. A lapsed field costs a
     * publish that nobody hears. ARGV: channel prefix, message, this instance.
     */
    private static final LuaScript PUSH = new LuaScript("""
            local holders = redis.call('HVALS', KEYS[1])
            local sent, received = {}, 0
            for _, v in ipairs(holders) do
              local instance = string.match(v, '^%d+ %d+@(.*)$')
              if instance and instance ~= ARGV[3] and not sent[instance] then
                sent[instance] = true
                received = received + redis.call('PUBLISH', ARGV[1] .. instance, ARGV[2])
              end
            end
            return received
            """);

    private final String instanceId;
    private final byte[] instanceIdBytes;
    private final byte[] ttlMillis;
    private final byte[] channelPrefix = bytes(CHANNEL_PREFIX);

    RedisPresence(String instanceId, long ttlMillis) {
        this.instanceId = instanceId;
        this.instanceIdBytes = bytes(instanceId);
        this.ttlMillis = bytes(Long.toString(ttlMillis));
    }

    static byte[] channelOf(String instanceId) {
        return bytes(CHANNEL_PREFIX + instanceId);
    }

    /**
     * The outcome of {@link #claim}: refused, or the instance whose claim of the device
     * it replaced (null if none) and whether another instance holds a device of the user.
     */
    record Claimed(boolean refused, String previousInstance, boolean shared) {
    }

    /**
     * Takes {@code device} of {@code uid} for the login {@code claimId} of this instance,
     * unless the user has {@code maxDevices} other devices logged in.
     *
     * @return refused, or the instance whose claim of the device this replaced (null if
     *     none) and whether another instance holds a device of the user
     */
    Claimed claim(Jedis jedis, Device device, long claimId, int maxDevices) {
        Object reply = CLAIM.run(jedis, List.of(userKey(device.uid())),
                List.of(bytes(device.name()), value(claimId), ttlMillis, channelPrefix,
                        ClusterMessage.kickHeader(device.uid()), instanceIdBytes, bytes(Integer.toString(maxDevices)),
                        ClusterMessage.shared(device.uid()).encode()));
        if (Long.valueOf(REFUSED).equals(reply)) {
            return new Claimed(true, null, false);
        }
        List<?> parts = (List<?>) reply;
        boolean shared = Long.valueOf(1).equals(parts.get(1));
        if (!(parts.get(0) instanceof byte[] old)) {
            return new Claimed(false, null, shared);
        }
        String holder = new String(old, StandardCharsets.UTF_8);
        return new Claimed(false, holder.substring(holder.indexOf('@') + 1), shared);
    }

    void release(Jedis jedis, Device device, long claimId) {
        RELEASE.run(jedis, List.of(userKey(device.uid())), List.of(bytes(device.name()), value(claimId)));
    }

    /** Releases many claims (device to claim id) in pipelined batches (a clean shutdown). */
    void releaseAll(Jedis jedis, Map<Device, Long> claims) {
        RELEASE.load(jedis);
        for (List<Device> batch : batches(claims.keySet())) {
            try (Pipeline p = jedis.pipelined()) {
                for (Device device : batch) {
                    RELEASE.queue(p, List.of(userKey(device.uid())),
                            List.of(bytes(device.name()), value(claims.get(device))));
                }
                p.sync();
            }
        }
    }

    /**
     * Extends every claim in {@code claims} (device to claim id), in pipelined batches.
     *
     * @return the devices whose claim another login holds now: their local sessions are stale
     */
    List<Device> refreshAll(Jedis jedis, Map<Device, Long> claims) {
        REFRESH.load(jedis);
        List<Device> lost = new ArrayList<>();
        for (List<Device> batch : batches(claims.keySet())) {
            List<Response<Object>> replies = new ArrayList<>(batch.size());
            try (Pipeline p = jedis.pipelined()) {
                for (Device device : batch) {
                    replies.add(REFRESH.queue(p, List.of(userKey(device.uid())),
                            List.of(bytes(device.name()), value(claims.get(device)), ttlMillis)));
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

    /** The users of {@code uids} with a key: at least one device claimed or refreshed within the TTL. */
    Set<Long> onlineAmong(Jedis jedis, List<Long> uids) {
        if (uids.isEmpty()) {
            return Set.of();
        }
        List<Response<Boolean>> exists = new ArrayList<>(uids.size());
        try (Pipeline p = jedis.pipelined()) {
            for (long uid : uids) {
                exists.add(p.exists(userKey(uid)));
            }
            p.sync();
        }
        Set<Long> online = new HashSet<>();
        for (int i = 0; i < uids.size(); i++) {
            if (exists.get(i).get()) {
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
    int push(Jedis jedis, List<OtherInstances.Push> pushes) {
        List<OtherInstances.Push> refused = new ArrayList<>();
        int received = pipelinePushes(jedis, pushes, refused);
        if (refused.isEmpty()) {
            return received;
        }
        PUSH.load(jedis);
        return received + pipelinePushes(jedis, refused, new ArrayList<>());
    }

    /** @param refused gets the pushes the server refused for not knowing the script */
    private int pipelinePushes(Jedis jedis, List<OtherInstances.Push> pushes, List<OtherInstances.Push> refused) {
        List<Response<Object>> replies = new ArrayList<>(pushes.size());
        try (Pipeline p = jedis.pipelined()) {
            for (OtherInstances.Push push : pushes) {
                replies.add(PUSH.queue(p, List.of(userKey(push.uid())),
                        List.of(channelPrefix, message(push).encode(), instanceIdBytes)));
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

    private static ClusterMessage message(OtherInstances.Push push) {
        return push.isSignal() ? ClusterMessage.signal(push.uid(), push.json())
                : ClusterMessage.push(push.uid(), push.seq(), push.json());
    }

    /** What a device's field holds, after its deadline, while the login {@code claimId} of this instance serves it. */
    private byte[] value(long claimId) {
        return bytes(claimId + "@" + instanceId);
    }

    private static byte[] userKey(long uid) {
        return bytes(USER_KEY_PREFIX + uid);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static <T> List<List<T>> batches(Collection<T> items) {
        List<T> all = new ArrayList<>(items);
        List<List<T>> batches = new ArrayList<>();
        for (int from = 0; from < all.size(); from += BATCH) {
            batches.add(all.subList(from, Math.min(all.size(), from + BATCH)));
        }
        return batches;
    }
}
