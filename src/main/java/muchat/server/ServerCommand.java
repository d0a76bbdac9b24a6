package muchat.server;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import muchat.cluster.RedisRefusedException;
import muchat.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code muchat server}: runs one instance until SIGTERM or SIGINT, then shuts it down
 * gracefully (see {@link ChatServer#close()}) and exits 0.
 */
final class ServerCommand {
    private static final Logger log = LoggerFactory.getLogger(ServerCommand.class);

    private ServerCommand() {
    }

    static void run(String[] args) throws Exception {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.print(Config.help());
            return;
        }
        Config config;
        try {
            config = Config.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("muchat server: " + e.getMessage());
            System.exit(2);
            return;
        }
        ChatServer server;
        try {
            server = new ChatServer(config);
            server.start();
        } catch (StoreException | RedisRefusedException | IOException e) {
            log.error("cannot start: {}", e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("signal received, stopping");
            server.close();
            // A JVM stopped by SIGTERM exits 143 even after a clean shutdown; operators
            // and supervisors expect 0 from a clean stop.
            Runtime.getRuntime().halt(0);
        }, "muchat-shutdown"));
        new CountDownLatch(1).await(); // serve until a signal runs the hook
    }
}
