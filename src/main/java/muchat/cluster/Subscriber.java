package muchat.cluster;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Connection;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The one connection that listens on this instance's channel, on a thread of its own.
 *
 * <p>It reconnects by itself, waiting 100 ms after the first failure and doubling up to
 * 2 s, and calls {@code onSubscribed} on its thread after every successful SUBSCRIBE,
 * before any message of the new connection is handled. A connection that stays silent
 * for {@code silenceMillis} counts as dead: {@link #ping} keeps a healthy one talking, so
 * a half-open TCP connection (peer gone without a FIN) is noticed too.
 *
 * <p>Threads: the listener callbacks run on the subscriber thread; {@link #ping},
 * {@link #reconnect} and {@link #close} may be called from any thread.
 */
final class Subscriber implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Subscriber.class);
    private static final long MIN_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 2000;

    private final RedisLink link;
    private final byte[] channel;
    private final int silenceMillis;
    private final Runnable onSubscribed;
    private final Consumer<byte[]> onMessage;
    private final String clientName;
    private final Thread thread;
    private final CountDownLatch firstSubscribe = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Connection connection;
    private volatile BinaryJedisPubSub pubSub;
    private long backoffMillis = MIN_BACKOFF_MILLIS;

    Subscriber(RedisLink link, String instanceId, int silenceMillis,
               Runnable onSubscribed, Consumer<byte[]> onMessage) {
        this.link = link;
        this.channel = RedisPresence.channelOf(instanceId);
        this.silenceMillis = silenceMillis;
        this.onSubscribed = onSubscribed;
        this.onMessage = onMessage;
        this.clientName = "muchat-sub-" + instanceId;
        this.thread = new Thread(this::run, "muchat-redis-sub-" + instanceId);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Waits until the first subscription is confirmed; false if it was not within the time. */
    boolean awaitFirstSubscribe(long millis) throws InterruptedException {
        return firstSubscribe.await(millis, TimeUnit.MILLISECONDS);
    }

    private void run() {
        while (running) {
            try (Connection c = link.connect(clientName, RedisLink.CONNECT_TIMEOUT_MILLIS, silenceMillis)) {
                connection = c;
                if (!running) {
                    return;
                }
                BinaryJedisPubSub listener = new ChannelListener();
                pubSub = listener;
                listener.proceed(c, channel);
            } catch (JedisException e) {
                if (running) {
                    link.markDown(e);
                }
            } catch (RuntimeException e) {
                // A bug, not an outage: keep listening rather than lose the thread.
                log.error("subscriber failed; reconnecting", e);
            } finally {
                connection = null;
                pubSub = null;
            }
            pause();
        }
    }

    private void pause() {
        try {
            Thread.sleep(backoffMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
    }

    /** Sends a PING on the subscribed connection so that silence means a dead connection. */
    void ping() {
        BinaryJedisPubSub p = pubSub;
        if (p != null && p.isSubscribed()) {
            try {
                p.ping();
            } catch (JedisException e) {
                log.debug("ping on the subscriber connection failed: {}", e.getMessage());
            }
        }
    }

    /** Drops the current connection; the subscriber thread opens a new one. */
    void reconnect() {
        Connection c = connection;
        if (c != null) {
            c.disconnect();
        }
    }

    @Override
    public void close() {
        running = false;
        reconnect();
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs on the subscriber thread, inside {@code proceed}. */
    private final class ChannelListener extends BinaryJedisPubSub {
        @Override
        public void onSubscribe(byte[] subscribedChannel, int subscribedChannels) {
            backoffMillis = MIN_BACKOFF_MILLIS;
            onSubscribed.run();
            firstSubscribe.countDown();
        }

        @Override
        public void onMessage(byte[] fromChannel, byte[] message) {
            onMessage.accept(message);
        }
    }
}
