package muchat.server;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import muchat.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code muchat server}: runs one instance until SIGTERM or SIGINT, then shuts it down
 * gracefully and exits 0.
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
        } catch (StoreException | IOException e) {
            log.error("cannot start: {}", e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stop = new CountDownLatch(1);
        // Handle the signals ourselves: a JVM stopped by a shutdown hook exits 143, and
        // operators expect a clean stop to exit 0.
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
        stop.await();
        log.info("signal received, stopping");
        server.close();
        System.exit(0);
    }
}
