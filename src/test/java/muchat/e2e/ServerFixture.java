package muchat.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import muchat.server.ChatServer;
import muchat.server.Config;

/**
 * A real muchat server in this JVM on a loopback port, with its own embedded database: a
 * fresh one on a free port, or (to restart) the data directory and port of an earlier one.
 */
final class ServerFixture implements AutoCloseable {
    private final ChatServer server;
    private final Path dataDir;

    ServerFixture(String... extraArgs) throws IOException {
        this(Files.createTempDirectory("muchat-e2e"), 0, extraArgs);
    }

    /** A server on {@code port} (0: any free one) over the database in {@code dataDir}. */
    ServerFixture(Path dataDir, int port, String... extraArgs) throws IOException {
        this.dataDir = dataDir;
        String[] base = {"--host", "127.0.0.1", "--port", String.valueOf(port), "--data", dataDir.toString(),
                "--io-threads", "2", "--logic-threads", "4"};
        String[] args = new String[base.length + extraArgs.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extraArgs, 0, args, base.length, extraArgs.length);
        Map<String, String> noEnv = new HashMap<>();
        server = new ChatServer(Config.parse(args, noEnv));
        server.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.address().getPort());
    }

    /** The same data directory and port, served again after {@link #close()}: a restart. */
    ServerFixture restart(String... extraArgs) throws IOException {
        return new ServerFixture(dataDir, address().getPort(), extraArgs);
    }

    @Override
    public void close() {
        server.close();
    }
}
