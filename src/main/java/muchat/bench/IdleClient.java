package muchat.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens many idle connections to a server and holds them, to measure what an idle
 * connection costs the server.
 *
 * <p>All connections leave from one loopback source address ({@code --bind}, e.g.
 * 127.0.0.2), so several clients with different source addresses can open more
 * connections than one address has ephemeral ports. It connects
 * {@code --connections} times, prints one line
 * <pre>
 * idle bind=127.0.0.2 requested=4750 connected=4750
 * </pre>
 * and then holds the connections, sending nothing, for {@code --seconds} or until
 * the process is signalled. It exits with status 1 if not every connection connects.
 */
public final class IdleClient {
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    /** What one client opens and for how long it holds it. */
    record Options(String host, int port, String bind, int connections, int seconds) {
        static Options parse(String[] args) {
            Flags flags = Flags.parse(args,
                    List.of("host", "port", "bind", "connections", "seconds"), List.of());
            return new Options(flags.string("host", "127.0.0.1"),
                    flags.positiveInt("port", 9981),
                    flags.string("bind", "127.0.0.2"),
                    flags.positiveInt("connections", 1000),
                    flags.positiveInt("seconds", 60));
        }
    }

    private IdleClient() {
    }

    public static void main(String[] args) throws InterruptedException {
        Options options = Flags.parseOrExit("idle", "usage: IdleClient [--host H] [--port P] [--bind ADDR]"
                + " [--connections N] [--seconds T]", args, Options::parse);
        List<SocketChannel> held = connectAll(options);
        // One println, one write(2): the script polls this file and must never see half a line.
        System.out.println(String.format("idle bind=%s requested=%d connected=%d",
                options.bind(), options.connections(), held.size()));
        if (held.size() < options.connections()) {
            System.exit(1);
        }
        // The connections stay open until the process ends; the OS closes them then.
        Thread.sleep(options.seconds() * 1000L);
    }

    /** Connects one after another; stops at the first failure and says why. */
    private static List<SocketChannel> connectAll(Options options) {
        InetSocketAddress server = new InetSocketAddress(options.host(), options.port());
        InetSocketAddress source = new InetSocketAddress(options.bind(), 0);
        List<SocketChannel> held = new ArrayList<>(options.connections());
        while (held.size() < options.connections()) {
            try {
                held.add(connect(source, server));
            } catch (IOException e) {
                System.err.printf("idle: FAILED after %d connections from %s to %s: %s%n",
                        held.size(), options.bind(), server, e);
                break;
            }
        }
        return held;
    }

    private static SocketChannel connect(InetSocketAddress source, InetSocketAddress server) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.bind(source);
            channel.socket().connect(server, CONNECT_TIMEOUT_MILLIS);
            return channel;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }
}
