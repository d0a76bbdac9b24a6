package muchat.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.ArrayList;
import java.util.function.Predicate;
import muchat.protocol.MsgType;

/**
 * A test client that speaks docs/protocol.md by hand (independently of the server's codec), in
 * either framing, with a blocking socket. Frames that a wait skips are kept for later
 * waits, so a test can ask for the frames it cares about in any order.
 */
final class WireClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final PushbackInputStream raw;
    private final DataInputStream in;
    private final OutputStream out;
    private final boolean legacy;
    private final Deque<JsonNode> unclaimed = new ArrayDeque<>();

    private WireClient(InetSocketAddress address, boolean legacy) throws IOException {
        this(address, null, legacy);
    }

    private WireClient(InetSocketAddress address, InetSocketAddress from, boolean legacy) throws IOException {
        this.socket = new Socket();
        if (from != null) {
            socket.bind(from);
        }
        socket.connect(address);
        this.socket.setSoTimeout(TIMEOUT_MILLIS);
        this.socket.setTcpNoDelay(true);
        this.raw = new PushbackInputStream(socket.getInputStream(), 1);
        this.in = new DataInputStream(raw);
        this.out = socket.getOutputStream();
        this.legacy = legacy;
    }

    static WireClient nativeClient(InetSocketAddress address) throws IOException {
        return new WireClient(address, false);
    }

    /** A native client whose connection comes from {@code fromHost}, e.g. another loopback address. */
    static WireClient nativeClient(InetSocketAddress address, String fromHost) throws IOException {
        return new WireClient(address, new InetSocketAddress(fromHost, 0), false);
    }

    static WireClient legacyClient(InetSocketAddress address) throws IOException {
        return new WireClient(address, true);
    }

    static ObjectNode obj(Object... keyValues) {
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            node.set((String) keyValues[i], JSON.valueToTree(keyValues[i + 1]));
        }
        return node;
    }

    /** True if {@code frame} is of {@code type}: its msgid is the type's code. */
    static boolean hasType(JsonNode frame, MsgType type) {
        return frame.path("msgid").asInt() == type.code();
    }

    /** Sends one request in this client's framing; legacy puts the msgid in the JSON. */
    void send(MsgType type, ObjectNode body) throws IOException {
        send(type.code(), body);
    }

    /** As {@link #send(MsgType, ObjectNode)}, for a msgid that may be unknown to the protocol. */
    void send(int msgid, ObjectNode body) throws IOException {
        if (legacy) {
            ObjectNode withId = JSON.createObjectNode().put("msgid", msgid);
            withId.setAll(body);
            sendRaw(concat(JSON.writeValueAsBytes(withId), new byte[] {0}));
        } else {
            byte[] json = body.isEmpty() ? new byte[0] : JSON.writeValueAsBytes(body);
            sendRaw(nativeFrame(msgid, json));
        }
    }

    /**
     * Sends {@code json} exactly as given (it may be invalid UTF-8) as one frame of type
     * {@code type}; in legacy framing the JSON must hold its own msgid.
     */
    void sendJson(MsgType type, byte[] json) throws IOException {
        if (legacy) {
            sendRaw(concat(json, new byte[] {0}));
        } else {
            sendRaw(nativeFrame(type.code(), json));
        }
    }

    /** A native (TLV) frame: 2 bytes of msgid, 4 of length, then the JSON. */
    private static byte[] nativeFrame(int msgid, byte[] json) {
        return ByteBuffer.allocate(6 + json.length).putShort((short) msgid).putInt(json.length).put(json).array();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next frame of this type (others are kept for later). */
    JsonNode await(MsgType type) throws IOException {
        return await(frame -> hasType(frame, type), type + " (msgid " + type.code() + ")");
    }

    JsonNode await(Predicate<JsonNode> wanted, String what) throws IOException {
        for (JsonNode frame : unclaimed) {
            if (wanted.test(frame)) {
                unclaimed.remove(frame);
                return frame;
            }
        }
        while (true) {
            JsonNode frame;
            try {
                frame = readFrame();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no frame with " + what + " within " + TIMEOUT_MILLIS + " ms; unclaimed: "
                        + unclaimed);
            }
            if (wanted.test(frame)) {
                return frame;
            }
            unclaimed.add(frame);
        }
    }

    /** Asserts that nothing at all arrives for {@code millis}. */
    void expectSilence(long millis) throws IOException {
        if (!unclaimed.isEmpty()) {
            throw new AssertionError("unexpected frames: " + unclaimed);
        }
        socket.setSoTimeout((int) millis);
        try {
            JsonNode frame = readFrame();
            throw new AssertionError("unexpected frame: " + frame);
        } catch (SocketTimeoutException expected) {
            // silence, as wanted
        } finally {
            socket.setSoTimeout(TIMEOUT_MILLIS);
        }
    }

    /** Every frame until the server closes the connection, including any not claimed yet. */
    List<JsonNode> framesUntilClosed() throws IOException {
        if (!closedByServer()) {
            throw new AssertionError("the server did not close the connection within " + TIMEOUT_MILLIS + " ms");
        }
        List<JsonNode> all = new ArrayList<>(unclaimed);
        unclaimed.clear();
        return all;
    }

    /** True once the server has closed the connection (frames before the end are kept). */
    boolean closedByServer() throws IOException {
        try {
            while (true) {
                unclaimed.add(readFrame());
            }
        } catch (EOFException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    /**
     * True if the server closes the connection within {@code millis} (frames before the
     * end are kept); false if it is still open then. Waits a byte at a time, so a
     * timeout never cuts a frame in half.
     */
    boolean closedByServerWithin(long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) left);
                int first;
                try {
                    first = raw.read();
                } catch (SocketTimeoutException e) {
                    return false;
                }
                if (first < 0) {
                    return true;
                }
                raw.unread(first);
                socket.setSoTimeout(TIMEOUT_MILLIS);
                unclaimed.add(readFrame());
            }
        } catch (EOFException e) {
            return true;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("reset")) {
                return true;
            }
            throw e;
        } finally {
            socket.setSoTimeout(TIMEOUT_MILLIS);
        }
    }

    /** The frames that arrived and were not taken by a wait yet, for failure messages. */
    String unclaimedText() {
        return unclaimed.toString();
    }

    /** True if a frame of this type has arrived and was not taken by a wait yet. */
    boolean hasUnclaimed(MsgType type) {
        return unclaimed.stream().anyMatch(frame -> hasType(frame, type));
    }

    private JsonNode readFrame() throws IOException {
        if (legacy) {
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            for (int b; (b = in.read()) != 0; ) {
                if (b < 0) {
                    throw new EOFException();
                }
                text.write(b);
            }
            return JSON.readTree(text.toString(StandardCharsets.UTF_8));
        }
        int type = in.readUnsignedShort();
        int length = in.readInt();
        byte[] json = in.readNBytes(length);
        if (json.length < length) {
            throw new EOFException();
        }
        JsonNode body = length == 0 ? JSON.createObjectNode() : JSON.readTree(json);
        if (body.path("msgid").asInt() != type) {
            throw new AssertionError("frame type " + type + " but msgid in JSON " + body.path("msgid"));
        }
        return body;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
