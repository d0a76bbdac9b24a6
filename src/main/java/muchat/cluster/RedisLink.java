package muchat.cluster;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The command connections to Redis and the one opinion on whether Redis is reachable.
 *
 * <p>While Redis is down, {@link #call} does not even try: it returns the fallback at
 * once, so an outage costs the chat server nothing but the fast path. Only the
 * {@link Subscriber}, which reconnects with backoff, declares Redis {@link #markUp up}
 * again; a failed command declares it {@link #markDown down} and asks the subscriber to
 * reconnect, so that every outage, however it was noticed, ends in one resubscribe and
 * one resync. Each transition is logged once.
 *
 * <p>Threads: any.
 */
final class RedisLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
    /**
     * Every logic strand (--logic-threads, 16 by default) may route a push or claim a
     * login at the same moment, plus the presence refresher: with fewer connections than
     * that, logins would wait for one.
     */
    private static final int POOL_SIZE = 24;
    static final int CONNECT_TIMEOUT_MILLIS = 500;
    private static final int COMMAND_TIMEOUT_MILLIS = 1000;
    private static final Duration POOL_WAIT = Duration.ofMillis(500);

    private final RedisAddress address;
    private final String instanceId;
    private final JedisPool pool;
    private final AtomicBoolean up = new AtomicBoolean(true);
    private volatile long downSinceNanos;
    private volatile Runnable onDown = () -> { };

    RedisLink(RedisAddress address, String instanceId) {
        this.address = address;
        this.instanceId = instanceId;
        GenericObjectPoolConfig<Jedis> poolConfig = new GenericObjectPoolConfig<>();
        poolConfig.setMaxTotal(POOL_SIZE);
        poolConfig.setMaxIdle(POOL_SIZE);
        poolConfig.setMaxWait(POOL_WAIT);
        poolConfig.setJmxEnabled(false);
        this.pool = new JedisPool(poolConfig, address.hostAndPort(),
                clientConfig(address, "muchat-" + instanceId, COMMAND_TIMEOUT_MILLIS, 0));
    }

    /**
     * Fails if Redis answers but refuses {@code address}'s credentials. A Redis that does
     * not answer yet is no reason to stop: the subscriber keeps trying.
     *
     * @throws RedisRefusedException with the address masked and Redis's own words
     */
    static void checkAccess(RedisAddress address) {
        JedisClientConfig config = clientConfig(address, "muchat-check", COMMAND_TIMEOUT_MILLIS, 0);
        try (Jedis jedis = new Jedis(address.hostAndPort(), config)) {
            jedis.ping();
        } catch (JedisAccessControlException e) {
            throw refused(address, e); // NOAUTH, WRONGPASS, NOPERM
        } catch (JedisDataException e) {
            if (e.getMessage().startsWith("ERR AUTH")) {
                throw refused(address, e); // a password for a Redis that has none: not the Redis meant
            }
            // Busy (loading its data, say): as below.
        } catch (JedisConnectionException e) {
            // Not answering yet: the subscriber keeps trying, and the log says so once.
        }
    }

    private static RedisRefusedException refused(RedisAddress address, JedisDataException e) {
        return new RedisRefusedException("redis at " + address + " refused this instance: " + e.getMessage());
    }

    /** How every connection of this instance logs in to Redis and waits for it. */
    private static JedisClientConfig clientConfig(RedisAddress address, String clientName, int socketTimeoutMillis,
                                                  int blockingTimeoutMillis) {
        return DefaultJedisClientConfig.builder()
                .user(address.user())
                .password(address.password())
                .database(address.database())
                .clientName(clientName)
                .connectionTimeoutMillis(CONNECT_TIMEOUT_MILLIS)
                .socketTimeoutMillis(socketTimeoutMillis)
                .blockingSocketTimeoutMillis(blockingTimeoutMillis)
                .build();
    }

    /** A new connection of its own (for the subscriber), outside the pool. */
    Connection connect(String clientName, int socketTimeoutMillis, int blockingTimeoutMillis) {
        return new Connection(address.hostAndPort(),
                clientConfig(address, clientName, socketTimeoutMillis, blockingTimeoutMillis));
    }

    /** Who to tell when Redis goes down (the subscriber, so it reconnects). */
    void onDown(Runnable action) {
        this.onDown = action;
    }

    boolean isUp() {
        return up.get();
    }

    /**
     * Runs {@code command} on a pooled connection.
     *
     * @return its result, or {@code fallback} if Redis is down or the command failed
     */
    <T> T call(Function<Jedis, T> command, T fallback) {
        if (!up.get()) {
            return fallback;
        }
        try (Jedis jedis = pool.getResource()) {
            return command.apply(jedis);
        } catch (JedisConnectionException e) {
            markDown(e);
        } catch (JedisException e) {
            log.warn("redis command failed instance={} error={}", instanceId, e.getMessage());
        }
        return fallback;
    }

    /** Records an outage; logs only the first failure of it. */
    void markDown(Exception cause) {
        if (up.compareAndSet(true, false)) {
            downSinceNanos = System.nanoTime();
            log.warn("redis unreachable at {} instance={} error={}; pushes between instances pause,"
                    + " messages wait in the database", address, instanceId, rootMessage(cause));
            // Idle connections to the dead server would each fail once more after it is back.
            pool.clear();
            onDown.run();
        }
    }

    /** @return true if Redis was down until now (so pushes may have been lost) */
    boolean markUp() {
        if (up.compareAndSet(false, true)) {
            long millis = (System.nanoTime() - downSinceNanos) / 1_000_000;
            log.info("redis reachable again at {} instance={} after {} ms", address, instanceId, millis);
            return true;
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    @Override
    public void close() {
        pool.close();
    }
}
