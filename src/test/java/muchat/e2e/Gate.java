package muchat.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback TCP relay in front of the server that a test can shut: shutting cuts every
 * relayed connection, and while shut a new connection is dropped as soon as it is
 * accepted. Lets a test keep one client away from the server while others carry on.
 *
 * <p>Threads: {@link #shut}, {@link #open} and {@link #close} from the test thread; one
 * accept thread and two copy threads per relayed connection do the rest.
 */
final class Gate implements AutoCloseable {
    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final List<Socket> relayed = new ArrayList<>();
    private volatile boolean open = true;

    Gate(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        daemon(this::acceptLoop, "gate-accept").start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }

    /** Cuts every relayed connection and refuses new ones until {@link #open}. */
    void shut() {
        open = false;
        closeRelayed();
    }

    void open() {
        open = true;
    }

    @Override
    public void close() throws IOException {
        open = false;
        listener.close();
        closeRelayed();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                if (!open) {
                    client.close();
                    continue;
                }
                relay(client);
            } catch (IOException e) {
                // The listener closed (end of test) or the server is down: the client sees a drop.
            }
        }
    }

    private void relay(Socket client) throws IOException {
        Socket server;
        try {
            server = new Socket(target.getAddress(), target.getPort());
        } catch (IOException e) {
            client.close();
            throw e;
        }
        synchronized (relayed) {
            relayed.add(client);
            relayed.add(server);
        }
        daemon(() -> copy(client, server), "gate-up").start();
        daemon(() -> copy(server, client), "gate-down").start();
    }

    /** Copies until either side ends, then closes both, as a cut cable would. */
    private static void copy(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // One side is gone; closing both below tells the other.
        }
        closeQuietly(from);
        closeQuietly(to);
    }

    private void closeRelayed() {
        synchronized (relayed) {
            relayed.forEach(Gate::closeQuietly);
            relayed.clear();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // Already broken: nothing left to do.
        }
    }

    private static Thread daemon(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }
}
