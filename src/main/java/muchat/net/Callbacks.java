package muchat.net;

/**
 * The callbacks a user of {@link TcpServer} installs, as in muduo's Callbacks.h. All of
 * them run in the loop thread that owns the connection, so they must not block: hand
 * slow work to another executor.
 */
public final class Callbacks {
    private Callbacks() {
    }

    /** The connection went up ({@link TcpConnection#isConnected()}) or down. */
    @FunctionalInterface
    public interface ConnectionCallback {
        void onConnection(TcpConnection connection);
    }

    /**
     * Bytes arrived. {@code input} holds everything received and not yet consumed; the
     * callback consumes what forms complete messages and leaves the rest, which the
     * connection keeps for next time. {@code input} may be the loop's shared read buffer:
     * do not keep a reference to it after returning.
     */
    @FunctionalInterface
    public interface MessageCallback {
        void onMessage(TcpConnection connection, Buffer input);
    }

    /** Everything queued for sending has been handed to the kernel. */
    @FunctionalInterface
    public interface WriteCompleteCallback {
        void onWriteComplete(TcpConnection connection);
    }

    /** The bytes queued for sending just crossed the high-water mark (a slow reader). */
    @FunctionalInterface
    public interface HighWaterMarkCallback {
        void onHighWaterMark(TcpConnection connection, long queuedBytes);
    }

    static final ConnectionCallback NO_CONNECTION_CALLBACK = connection -> { };
    /** Discards input, so a server without a message callback does not buffer forever. */
    static final MessageCallback DISCARD = (connection, input) -> input.skip(input.readableBytes());
}
