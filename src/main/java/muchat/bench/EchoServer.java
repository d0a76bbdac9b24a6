package muchat.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import muchat.net.EventLoopGroup;
import muchat.net.TcpServer;
import muchat.net.TlsContexts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The echo server of muduo's examples, on {@code muchat.net} alone: every byte received
 * is sent back. Used by the reactor's tests and by {@code scripts/bench.sh echo}.
 *
 * <pre>java -jar muchat.jar echo [--host H] [--port P] [--io-threads N] [--least-loaded]
 *                            [--tls-cert CERT.pem --tls-key KEY.pem]</pre>
 */
public final class EchoServer {
    private static final Logger log = LoggerFactory.getLogger(EchoServer.class);

    private EchoServer() {
    }

    /** A started echo server; stop it with {@link TcpServer#stop()}. */
    public static TcpServer start(InetSocketAddress address, int ioThreads, EventLoopGroup.Placement placement)
            throws IOException {
        return start(address, ioThreads, placement, null);
    }

    /** A started echo server that speaks TLS with {@code tls} (plaintext when null). */
    public static TcpServer start(InetSocketAddress address, int ioThreads, EventLoopGroup.Placement placement,
                                  SSLContext tls) throws IOException {
        TcpServer server = new TcpServer("echo", address, ioThreads, placement);
        server.setMessageCallback((connection, input) -> connection.send(input));
        if (tls != null) {
            server.setTls(tls);
        }
        server.start();
        return server;
    }

    public static void main(String[] args) throws Exception {
        Flags flags = Flags.parse(args, List.of("host", "port", "io-threads", "tls-cert", "tls-key"),
                List.of("least-loaded"));
        String host = flags.string("host", "0.0.0.0");
        int port = flags.positiveInt("port", 7000);
        int ioThreads = flags.positiveInt("io-threads", Runtime.getRuntime().availableProcessors());
        EventLoopGroup.Placement placement = flags.isSet("least-loaded")
                ? EventLoopGroup.Placement.LEAST_CONNECTIONS : EventLoopGroup.Placement.ROUND_ROBIN;
        String cert = flags.string("tls-cert", "");
        SSLContext tls = cert.isEmpty() ? null : TlsContexts.server(Path.of(cert), Path.of(flags.string("tls-key", "")));
        TcpServer server = start(new InetSocketAddress(host, port), ioThreads, placement, tls);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            stopped.countDown();
        }, "echo-shutdown"));
        log.info("echo server ready on {} with {} io threads tls={}", server.address(), ioThreads,
                tls == null ? "off" : "on");
        stopped.await();
    }
}
