package muchat.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import muchat.protocol.MsgType;

/**
 * Reads exactly as the classic muduo ChatClient does, not as a forgiving parser would:
 * its reader thread does one {@code recv(fd, buf, 1024, 0)} at a time into a zeroed
 * buffer and parses the buffer up to the first NUL as one JSON text. A second message in
 * the same read is never seen; a read without a NUL (a message cut by the read, or one
 * longer than the buffer) makes the real client abort, and this one records the abort
 * and stops reading. Sending is the classic client's too: JSON and one NUL per request.
 *
 * <p>Threads: one test thread sends and takes what was shown; one reader thread reads.
 */
final class ClassicClient implements AutoCloseable {
    private static final int RECV_SIZE = 1024;
    private static final long TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    /** What the client would show, one JSON object per read, in order. */
    private final BlockingQueue<JsonNode> shown = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile String aborted;
    private volatile boolean closedByServer;

    ClassicClient(InetSocketAddress address) throws IOException {
        this(new Socket(address.getAddress(), address.getPort()));
    }

    /** Over a socket already connected, e.g. a TLS one. */
    ClassicClient(Socket connected) throws IOException {
        socket = connected;
        socket.setTcpNoDelay(true);
        reader = new Thread(this::readLoop, "classic-reader");
        reader.setDaemon(true);
        reader.start();
    }

    void send(MsgType type, ObjectNode body) throws IOException {
        ObjectNode withId = WireClient.JSON.createObjectNode().put("msgid", type.code());
        withId.setAll(body);
        byte[] json = WireClient.JSON.writeValueAsBytes(withId);
        byte[] frame = new byte[json.length + 1];
        System.arraycopy(json, 0, frame, 0, json.length);
        socket.getOutputStream().write(frame);
    }

    /** The next message shown, skipping none; fails if the client aborted or nothing came. */
    JsonNode next() throws InterruptedException {
        JsonNode message = shown.poll(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        if (message == null) {
            throw new AssertionError(aborted != null ? "the classic client aborted: " + aborted
                    : closedByServer ? "the server closed the connection" : "nothing shown within " + TIMEOUT_MILLIS + " ms");
        }
        return message;
    }

    /** The next message shown, of {@code type}, asserting that none other came before it. */
    JsonNode next(MsgType type) throws InterruptedException {
        JsonNode message = next();
        if (!WireClient.hasType(message, type)) {
            throw new AssertionError("expected " + type + " but the client showed " + message);
        }
        return message;
    }

    /** True if nothing more is shown within {@code millis} (and the client is still up). */
    boolean showsNothingFor(long millis) throws InterruptedException {
        JsonNode message = shown.poll(millis, TimeUnit.MILLISECONDS);
        if (message != null) {
            throw new AssertionError("unexpected: " + message);
        }
        return aborted == null && !closedByServer;
    }

    boolean isClosedByServer() {
        return closedByServer;
    }

    private void readLoop() {
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                byte[] buffer = new byte[RECV_SIZE];
                int n = in.read(buffer, 0, RECV_SIZE);
                if (n < 0) {
                    closedByServer = true;
                    return;
                }
                int nul = 0;
                while (nul < n && buffer[nul] != 0) {
                    nul++;
                }
                if (nul == n) {
                    aborted = "a read of " + n + " bytes holds no NUL: parse_error";
                    return;
                }
                shown.add(WireClient.JSON.readTree(new String(buffer, 0, nul, StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            if (aborted == null && !socket.isClosed()) {
                aborted = e.toString();
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
