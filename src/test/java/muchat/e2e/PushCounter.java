package muchat.e2e;

import static muchat.e2e.WireClient.hasType;
import static muchat.protocol.MsgType.LOGIN;
import static muchat.protocol.MsgType.LOGIN_ACK;
import static muchat.protocol.MsgType.SYNC_DONE;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import muchat.protocol.MsgType;
import muchat.testing.Await;

/**
 * Many logged-in native users whose pushes are read by one selector thread, so that a
 * test can keep hundreds of recipients online without a thread each. It counts each
 * user's pushes of one type and checks, for every user, that their seqs come without a
 * gap or a repeat (docs/protocol.md section 5): it parses only the start of each push for its
 * seq, cheap enough to leave the cores to the server.
 *
 * <p>Threads: {@link #loginAll} and {@link #start} from the test thread; the counts may
 * be read from any thread.
 */
final class PushCounter implements AutoCloseable {
    private final MsgType pushType;
    private final Selector selector;
    private final List<Reader> readers = new ArrayList<>();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private static final byte[] SEQ_KEY = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private Thread thread;

    PushCounter(MsgType pushType) throws IOException {
        this.pushType = pushType;
        this.selector = Selector.open();
    }

    /**
     * Logs every user in on a connection of its own (several logins in flight at a
     * time) and waits for each one's SYNC_DONE.
     */
    void loginAll(InetSocketAddress address, List<Long> ids, String password) throws IOException {
        List<SocketChannel> channels = new ArrayList<>();
        for (long id : ids) {
            SocketChannel channel = SocketChannel.open(address);
            channel.socket().setTcpNoDelay(true);
            byte[] json = ("{\"id\":" + id + ",\"password\":\"" + password + "\"}").getBytes(StandardCharsets.UTF_8);
            channel.write(ByteBuffer.allocate(6 + json.length).putShort((short) LOGIN.code()).putInt(json.length)
                    .put(json).flip());
            channels.add(channel);
        }
        for (int i = 0; i < channels.size(); i++) {
            SocketChannel channel = channels.get(i);
            channel.socket().setSoTimeout(10_000);
            JsonNode ack = readBlocking(channel);
            if (!hasType(ack, LOGIN_ACK) || ack.path("errno").asInt() != 0) {
                throw new AssertionError("login of user " + ids.get(i) + ": " + ack);
            }
            while (!hasType(readBlocking(channel), SYNC_DONE)) {
                // the replay of an empty inbox: only SYNC_DONE
            }
            channel.configureBlocking(false);
            Reader reader = new Reader(ids.get(i));
            channel.register(selector, SelectionKey.OP_READ, reader);
            readers.add(reader);
        }
    }

    void start() {
        thread = new Thread(this::run, "push-counter");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Waits until every user got {@code count} pushes; false if not within {@code timeout},
     * or if a seq gap or repeat was seen first (see {@link #failure}).
     */
    boolean awaitEach(long count, Duration timeout) {
        Await.holdsWithin(timeout, () -> failure.get() != null || everyUserGot(count));
        return failure.get() == null && everyUserGot(count);
    }

    private boolean everyUserGot(long count) {
        return readers.stream().allMatch(r -> r.pushes >= count);
    }

    /** The first seq gap or repeat seen, or null. */
    String failure() {
        return failure.get();
    }

    /** Each user's pushes so far, by id. */
    String counts() {
        StringBuilder text = new StringBuilder();
        readers.forEach(r -> text.append(r.id).append('=').append(r.pushes).append(' '));
        return text.toString();
    }

    @Override
    public void close() throws IOException {
        if (thread != null) {
            thread.interrupt();
        }
        for (SelectionKey key : selector.keys()) {
            key.channel().close();
        }
        selector.close();
    }

    private void run() {
        ByteBuffer chunk = ByteBuffer.allocate(256 * 1024);
        try {
            while (!Thread.currentThread().isInterrupted()) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    chunk.clear();
                    if (((SocketChannel) key.channel()).read(chunk) < 0) {
                        failure.compareAndSet(null, "user " + ((Reader) key.attachment()).id + " was disconnected");
                        key.cancel();
                        continue;
                    }
                    ((Reader) key.attachment()).take(chunk.flip());
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            failure.compareAndSet(null, "reading pushes failed: " + e);
        }
    }

    private static JsonNode readBlocking(SocketChannel channel) throws IOException {
        var in = new java.io.DataInputStream(channel.socket().getInputStream());
        int type = in.readUnsignedShort();
        byte[] json = in.readNBytes(in.readInt());
        return json.length == 0 ? WireClient.JSON.createObjectNode().put("msgid", type) : WireClient.JSON.readTree(json);
    }

    /** One user's connection: the frame cut so far and the seq it expects next. */
    private final class Reader {
        final long id;
        volatile long pushes;
        private long lastSeq;
        private ByteBuffer pending = ByteBuffer.allocate(0);

        Reader(long id) {
            this.id = id;
        }

        void take(ByteBuffer bytes) {
            ByteBuffer all = ByteBuffer.allocate(pending.remaining() + bytes.remaining()).put(pending).put(bytes).flip();
            while (all.remaining() >= 6) {
                int start = all.position();
                int type = all.getShort(start) & 0xffff;
                int length = all.getInt(start + 2);
                if (all.remaining() < 6 + length) {
                    break;
                }
                if (type == pushType.code()) {
                    seen(seqOf(all, start + 6, length));
                }
                all.position(start + 6 + length);
            }
            pending = all.slice();
        }

        private void seen(long seq) {
            if (seq != lastSeq + 1) {
                failure.compareAndSet(null, "user " + id + " got seq " + seq + " after " + lastSeq);
            }
            lastSeq = seq;
            pushes++;
        }

        /** The number after {@code "seq":} in a push's JSON, read from the bytes without decoding them. */
        private long seqOf(ByteBuffer frame, int from, int length) {
            byte[] key = SEQ_KEY;
            int end = from + length;
            for (int at = from; at + key.length < end; at++) {
                if (matches(frame, at, key)) {
                    long seq = 0;
                    for (int i = at + key.length; i < end && Character.isDigit(frame.get(i)); i++) {
                        seq = seq * 10 + (frame.get(i) - '0');
                    }
                    return seq;
                }
            }
            throw new IllegalStateException("a push of user " + id + " without seq");
        }

        private static boolean matches(ByteBuffer frame, int at, byte[] key) {
            for (int k = 0; k < key.length; k++) {
                if (frame.get(at + k) != key[k]) {
                    return false;
                }
            }
            return true;
        }
    }
}
