package muchat.bench;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import muchat.net.EventLoopGroup;
import muchat.net.TcpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The echo server of muduo's examples, on {@code muchat.net} alone: every byte received
 * is sent back. Used by the reactor's tests and by {@code scripts/bench.sh echo}.
 *
 * <pre>java -jar muchat.jar echo [--host H] [--port P] [--io-threads N] [--least-loaded]</pre>
 */
public final class EchoServer {
    private static final Logger log = LoggerFactory.getLogger(EchoServer.class);

    private EchoServer() {
    }

    /** A started echo server; stop it with {@link TcpServer#stop()}. */
    public static TcpServer start(InetSocketAddress address, int ioThreads, EventLoopGroup.Placement placement)
            throws java.io.IOException {
        TcpServer server = new TcpServer("echo", address, ioThreads, placement);
        server.setMessageCallback((connection, input) -> connection.send(input));
        server.start();
        return server;
    }

    public static void main(String[] args) throws Exception {
        Flags flags = Flags.parse(args, List.of("host", "port", "io-threads"), List.of("least-loaded"));
        String host = flags.string("host", "0.0.0.0");
        int port = flags.positiveInt("port", 7000);
        int ioThreads = flags.positiveInt("io-threads", Runtime.getRuntime().availableProcessors());
        EventLoopGroup.Placement placement = flags.isSet("least-loaded")
                ? EventLoopGroup.Placement.LEAST_CONNECTIONS : EventLoopGroup.Placement.ROUND_ROBIN;
        TcpServer server = start(new InetSocketAddress(host, port), ioThreads, placement);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            stopped.countDown();
        }, "echo-shutdown"));
        log.info("echo server ready on {} with {} io threads", server.address(), ioThreads);
        stopped.await();
    }
}
