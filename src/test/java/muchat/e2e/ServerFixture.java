package muchat.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import muchat.server.ChatServer;
import muchat.server.Config;

/** A real muchat server in this JVM on a free loopback port, with its own embedded database. */
final class ServerFixture implements AutoCloseable {
    private final ChatServer server;
    private final Path dataDir;

    ServerFixture(String... extraArgs) throws IOException {
        dataDir = Files.createTempDirectory("muchat-e2e");
        String[] base = {"--host", "127.0.0.1", "--port", "0", "--data", dataDir.toString(), "--io-threads", "2",
                "--logic-threads", "4"};
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

    @Override
    public void close() {
        server.close();
    }
}
