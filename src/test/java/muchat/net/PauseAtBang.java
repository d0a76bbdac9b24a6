package muchat.net;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A message callback for pause tests: echoes one byte at a time, and after a '!' stops
 * reading ({@link TcpConnection.ReadPause#SHAPING}), leaving the rest waiting in the
 * connection. Remembers the paused connection so the test can resume it.
 *
 * <p>Threads: the callback runs on the loop; {@link #paused()} from the test thread.
 */
final class PauseAtBang implements Callbacks.MessageCallback {
    private final AtomicReference<TcpConnection> paused = new AtomicReference<>();

    @Override
    public void onMessage(TcpConnection connection, Buffer input) {
        while (input.isReadable() && connection.isReading()) {
            byte b = input.array()[input.readerIndex()];
            input.skip(1);
            connection.send(new byte[] {b});
            if (b == '!') {
                paused.set(connection);
                connection.stopRead(TcpConnection.ReadPause.SHAPING);
            }
        }
    }

    TcpConnection paused() {
        return paused.get();
    }
}
