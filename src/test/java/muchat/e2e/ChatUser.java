package muchat.e2e;

import static muchat.e2e.WireClient.hasType;
import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.ERROR;
import static muchat.protocol.MsgType.GROUP_CHAT;
import static muchat.protocol.MsgType.LOGIN;
import static muchat.protocol.MsgType.LOGIN_ACK;
import static muchat.protocol.MsgType.ONE_CHAT;
import static muchat.protocol.MsgType.READ;
import static muchat.protocol.MsgType.RECALL;
import static muchat.protocol.MsgType.RECV_ACK;
import static muchat.protocol.MsgType.SEND_ACK;
import static muchat.protocol.MsgType.SYNC;
import static muchat.protocol.MsgType.SYNC_DONE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import muchat.protocol.MsgType;

/**
 * A test user that behaves as docs/protocol.md section 5 asks of a careful client: it keeps
 * the last {@code seq} it was pushed and drops duplicates by seq (checking that a
 * duplicate carries the same {@code mid}), gives every chat a {@code cmid} (its n-th chat
 * has {@code <name>-<n>}, see {@link #cmid}), remembers the chats that got no SEND_ACK
 * yet, and resends them with the same cmid after a reconnect.
 * A push that skips a seq fails the test at once: seqs reach a client without gaps.
 *
 * <p>Threads: one thread at a time drives a user; {@link #ackCount} and
 * {@link #reconnects} may be read from any thread.
 */
final class ChatUser implements AutoCloseable {
    static final String PASSWORD = "secret1";
    private static final Duration RECONNECT_DEADLINE = Duration.ofSeconds(20);
    /** A client's pause between two failed connection attempts. */
    private static final long RETRY_MILLIS = 50;
    /** RECV_ACK after every this many pushes, so that a later login's {@code acked} moves. */
    private static final int RECV_ACK_EVERY = 100;

    /** A chat message, read receipt (READ) or recall (RECALL) as pushed to this user; {@code msg} null but for chats. */
    record Push(MsgType type, long seq, long mid, long from, String msg) {
    }

    /** A chat request not acknowledged yet. */
    private record Pending(MsgType type, ObjectNode body) {
    }

    private final long id;
    private final String name;
    private WireClient client;
    private long lastSeq;
    private final List<Push> pushes = new ArrayList<>();
    private final Map<Long, Long> midBySeq = new HashMap<>();
    private final Map<String, Pending> unacked = new LinkedHashMap<>();
    private final Map<String, Long> acked = new LinkedHashMap<>();
    private final AtomicInteger ackCount = new AtomicInteger();
    private final AtomicInteger reconnects = new AtomicInteger();
    private int resent;
    private int nextCmid;
    private JsonNode replayEnd;

    private ChatUser(long id, String name) {
        this.id = id;
        this.name = name;
    }

    /** Registers {@code name} through a short connection to {@code via}; not logged in yet. */
    static ChatUser register(InetSocketAddress via, String name) throws IOException {
        try (WireClient c = WireClient.nativeClient(via)) {
            return new ChatUser(ChatServerTest.register(c, name, PASSWORD), name);
        }
    }

    /** Another client of the same account (e.g. to be kicked by it), not connected yet. */
    ChatUser sameAccount() {
        return new ChatUser(id, name);
    }

    long id() {
        return id;
    }

    String name() {
        return name;
    }

    // ---- connection and login --------------------------------------------------------------------

    /** Opens a new connection (closing the old one), not logged in. */
    void connect(InetSocketAddress address) throws IOException {
        closeClient();
        client = WireClient.nativeClient(address);
    }

    /**
     * Sends LOGIN on the current connection and returns LOGIN_ACK; if it is ok, also
     * takes the inbox replay up to its end (dropping what this user has seen already),
     * which {@link #replayEnd} then returns.
     */
    JsonNode login() throws IOException {
        client.send(LOGIN, obj("id", id, "password", PASSWORD));
        JsonNode ack = awaitFrame(LOGIN_ACK);
        if (ack.path("errno").asInt() == 0) {
            replayEnd = awaitSyncOutcome();
        }
        return ack;
    }

    /** How the replay after the last successful login ended: SYNC_DONE, or ERROR with ref SYNC. */
    JsonNode replayEnd() {
        return replayEnd;
    }

    /** Connects to {@code address} and logs in, which must succeed. */
    JsonNode loginAt(InetSocketAddress address) throws IOException {
        connect(address);
        JsonNode ack = login();
        assertEquals(0, ack.path("errno").asInt(), "login of user " + id + ": " + ack);
        return ack;
    }

    /**
     * After the connection was lost: logs in again at {@code address} (retrying while
     * the cluster fails over) and resends every chat that got no SEND_ACK, same cmid.
     */
    void reconnect(InetSocketAddress address) throws IOException {
        long deadline = System.nanoTime() + RECONNECT_DEADLINE.toNanos();
        while (true) {
            try {
                loginAt(address);
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                pause(RETRY_MILLIS);
            }
        }
        reconnects.incrementAndGet();
        resent += unacked.size();
        resendUnacked();
    }

    /** Sends again, in their first order and with their cmids, the chats that got no SEND_ACK. */
    void resendUnacked() throws IOException {
        for (Pending p : List.copyOf(unacked.values())) {
            client.send(p.type(), p.body());
        }
    }

    // ---- requests ----------------------------------------------------------------------------------

    /** Sends ONE_CHAT with a fresh cmid and returns the cmid. */
    String chat(long toid, String text) throws IOException {
        return sendChat(ONE_CHAT, obj("toid", toid, "msg", text));
    }

    /** Sends GROUP_CHAT with a fresh cmid and returns the cmid. */
    String groupChat(long groupid, String text) throws IOException {
        return sendChat(GROUP_CHAT, obj("groupid", groupid, "msg", text));
    }

    /** The cmid of this user's n-th chat (from 1). */
    String cmid(int n) {
        return name + "-" + n;
    }

    private String sendChat(MsgType type, ObjectNode body) throws IOException {
        String cmid = cmid(++nextCmid);
        body.put("cmid", cmid);
        unacked.put(cmid, new Pending(type, body));
        client.send(type, body);
        return cmid;
    }

    /**
     * Sends {@code count} chats to {@code toid}, the n-th with text {@code "#n"}, at most
     * {@code window} of them unacknowledged at a time, and returns once every one got
     * SEND_ACK. A lost connection is logged in again at {@code fallback}, resending what
     * was not acknowledged.
     */
    void chatThroughFailures(long toid, int count, int window, InetSocketAddress fallback) throws IOException {
        int sent = 0;
        while (sent < count || !unacked.isEmpty()) {
            try {
                if (sent < count && unacked.size() < window) {
                    sent++;
                    chat(toid, "#" + sent);
                } else {
                    next();
                }
            } catch (IOException e) {
                reconnect(fallback);
            }
        }
    }

    /** Sends a request without waiting for anything. */
    void send(MsgType type, ObjectNode body) throws IOException {
        client.send(type, body);
    }

    /** Asserts that nothing at all arrives for {@code millis}. */
    void expectSilence(long millis) throws IOException {
        client.expectSilence(millis);
    }

    /** Sends a request and returns its reply (pushes and acks meanwhile are taken in). */
    JsonNode call(MsgType type, ObjectNode body, MsgType replyType) throws IOException {
        client.send(type, body);
        return awaitFrame(replyType);
    }

    /**
     * Sends SYNC from the last seq seen and takes in what it replays; returns SYNC_DONE's
     * {@code upto}: a way to be sure nothing more is waiting for this user.
     */
    long sync() throws IOException {
        JsonNode done = syncReply();
        assertEquals(SYNC_DONE.code(), done.path("msgid").asInt(), "SYNC of user " + id + ": " + done);
        return done.get("upto").asLong();
    }

    /** Sends SYNC from the last seq seen; returns SYNC_DONE, or the ERROR that refused it. */
    JsonNode syncReply() throws IOException {
        client.send(SYNC, obj("after", lastSeq));
        return awaitSyncOutcome();
    }

    /**
     * Reads up to the end of a replay, asking for the next page while SYNC_DONE says
     * {@code more}: the last SYNC_DONE, or ERROR with ref SYNC when the inbox could not be read.
     */
    private JsonNode awaitSyncOutcome() throws IOException {
        while (true) {
            JsonNode end = awaitFrame(f -> hasType(f, SYNC_DONE)
                    || (hasType(f, ERROR) && f.path("ref").asInt() == SYNC.code()));
            if (!end.path("more").asBoolean(false)) {
                return end;
            }
            client.send(SYNC, obj("after", end.get("upto").asLong()));
        }
    }

    // ---- reading -----------------------------------------------------------------------------------

    /** Reads the next frame, takes it in (push, SEND_ACK) and returns it. */
    JsonNode next() throws IOException {
        JsonNode frame = client.await(f -> true, "any frame");
        MsgType type = MsgType.of(frame.path("msgid").asInt());
        if (type == ONE_CHAT || type == GROUP_CHAT || type == READ || type == RECALL) {
            onPush(frame);
        } else if (type == SEND_ACK) {
            onSendAck(frame);
        }
        return frame;
    }

    /** Reads until a frame of {@code type} arrives and returns it. */
    JsonNode awaitFrame(MsgType type) throws IOException {
        return awaitFrame(f -> hasType(f, type));
    }

    JsonNode awaitFrame(Predicate<JsonNode> wanted) throws IOException {
        while (true) {
            JsonNode frame = next();
            if (wanted.test(frame)) {
                return frame;
            }
        }
    }

    /** Reads until the chat {@code cmid} is answered: its SEND_ACK, or an ERROR about it. */
    JsonNode awaitOutcome(String cmid) throws IOException {
        return awaitFrame(f -> (hasType(f, SEND_ACK) || hasType(f, ERROR))
                && cmid.equals(f.path("cmid").asText(null)));
    }

    /** Reads until this user has been pushed {@code count} distinct messages. */
    void awaitPushes(int count) throws IOException {
        while (pushes.size() < count) {
            next();
        }
    }

    /** As {@link #awaitPushes}, logging in again at {@code fallback} when the connection is lost. */
    void awaitPushesThroughFailures(int count, InetSocketAddress fallback) throws IOException {
        while (pushes.size() < count) {
            try {
                next();
            } catch (IOException e) {
                reconnect(fallback);
            }
        }
    }

    /** True once the server has closed this user's connection. */
    boolean closedByServer() throws IOException {
        return client.closedByServer();
    }

    private void onPush(JsonNode frame) throws IOException {
        long seq = frame.get("seq").asLong();
        long mid = frame.get("mid").asLong();
        if (seq <= lastSeq) {
            Long first = midBySeq.get(seq);
            if (first != null && first != mid) {
                throw new AssertionError("user " + id + " got seq " + seq + " twice with different mids: "
                        + first + " and " + mid);
            }
            return;
        }
        if (seq != lastSeq + 1) {
            throw new AssertionError("user " + id + " got seq " + seq + " right after " + lastSeq + ": " + frame);
        }
        lastSeq = seq;
        midBySeq.put(seq, mid);
        pushes.add(new Push(MsgType.of(frame.get("msgid").asInt()), seq, mid, frame.get("id").asLong(),
                frame.path("msg").asText(null)));
        if (seq % RECV_ACK_EVERY == 0) {
            client.send(RECV_ACK, obj("seq", seq));
        }
    }

    private void onSendAck(JsonNode frame) {
        String cmid = frame.path("cmid").asText(null);
        long mid = frame.get("mid").asLong();
        Long first = acked.get(cmid);
        if (first != null && first != mid) {
            throw new AssertionError("cmid " + cmid + " acknowledged with mid " + first + " and then " + mid);
        }
        if (cmid != null && unacked.remove(cmid) != null) {
            acked.put(cmid, mid);
            ackCount.incrementAndGet();
        }
    }

    // ---- what happened -----------------------------------------------------------------------------

    /** Distinct messages pushed to this user, in seq order. */
    List<Push> pushes() {
        return pushes;
    }

    /** cmid → mid of every chat that got SEND_ACK, in the order the acks came. */
    Map<String, Long> acked() {
        return acked;
    }

    /** How many chats got SEND_ACK so far; any thread. */
    int ackCount() {
        return ackCount.get();
    }

    /** How many times {@link #reconnect} logged in again; any thread. */
    int reconnects() {
        return reconnects.get();
    }

    /** How many chats were sent a second time by {@link #reconnect}. */
    int resent() {
        return resent;
    }

    private static void pause(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reconnecting");
        }
    }

    private void closeClient() throws IOException {
        if (client != null) {
            client.close();
        }
    }

    @Override
    public void close() throws IOException {
        closeClient();
    }
}
