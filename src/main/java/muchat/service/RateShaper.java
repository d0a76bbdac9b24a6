package muchat.service;

import java.util.concurrent.TimeUnit;
import muchat.net.TcpConnection;
import muchat.net.TcpConnection.ReadPause;

/**
 * Shapes one connection's costly requests (chats, SYNC, HISTORY) to a rate instead of
 * refusing the excess (docs/protocol.md, rate limiting): a token bucket of
 * {@code perSecond} tokens a second and room for a burst of twice that. A frame takes a
 * token even when there is none left (the frame was read, so it is handled); the bucket
 * then owes tokens, and the connection is not read from until the debt is paid. TCP
 * flow control slows the sender meanwhile, and its messages keep their order because
 * none is refused.
 *
 * <p>Threads: the connection's IO loop only, where frames are cut.
 */
final class RateShaper {
    private final TcpConnection connection;
    private final double perNano;
    private final double capacity;
    private double tokens;
    private long last = System.nanoTime();
    private boolean paused;

    RateShaper(TcpConnection connection, int perSecond) {
        this.connection = connection;
        this.perNano = perSecond / 1e9;
        this.capacity = 2.0 * perSecond;
        this.tokens = capacity;
    }

    /** Counts one shaped frame; over the rate, reading pauses until the bucket is paid back. */
    void onFrame() {
        connection.loop().assertInLoopThread();
        refill();
        tokens -= 1;
        if (tokens < 0 && !paused) {
            paused = true;
            connection.stopRead(ReadPause.SHAPING);
            resumeLater();
        }
    }

    private void resumeWhenPaidBack() {
        refill();
        if (tokens < 0) {
            resumeLater();
        } else {
            paused = false;
            connection.startRead(ReadPause.SHAPING);
        }
    }

    /** Checks again once the debt should be paid: frames cut after the pause may have added to it. */
    private void resumeLater() {
        long nanos = (long) Math.ceil(-tokens / perNano);
        connection.loop().runAfter(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos) + 1), this::resumeWhenPaidBack);
    }

    private void refill() {
        long now = System.nanoTime();
        tokens = Math.min(capacity, tokens + (now - last) * perNano);
        last = now;
    }
}
