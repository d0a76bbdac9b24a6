package muchat.service;

import java.util.NavigableMap;
import java.util.TreeMap;
import muchat.codec.FrameCodec;
import muchat.codec.Framing;
import muchat.net.TcpConnection;
import muchat.protocol.ChatMessage;
import muchat.protocol.Message;

/**
 * A client connection as the chat service sees it: its framing, the user bound to it
 * after LOGIN, and the cursor that keeps pushes to that user in inbox {@code seq}
 * order.
 *
 * <p>Pushes reach a session from several threads (the sender's strand, the cluster
 * subscriber, a login replay). {@link #deliver} sends a message only when it is the
 * next seq; a message that arrives early waits until the gap before it is filled, and
 * one that was already pushed is dropped.
 *
 * <p>Threads: any thread; the push cursor and the claim are guarded by the session's monitor. The
 * codec is set once by the IO thread before any frame is dispatched; {@link #handOff}
 * only from the connection's IO thread.
 */
public final class Session {
    private final TcpConnection connection;
    private volatile FrameCodec codec;
    private volatile long uid;
    private volatile String name;
    private final RateLimiter rateLimiter;
    /** Its IO loop's, so that this connection's frames reach its strand in the order read. */
    private final Handoff handoff;

    /** The login this session holds, bound or still under way; guarded by this. */
    private Claim claim;
    /** The next seq this user should be pushed; guarded by this. */
    private long nextSeq;
    /** Pushes that arrived before the ones in front of them; guarded by this. */
    private final NavigableMap<Long, ChatMessage> early = new TreeMap<>();
    /** The inbox's last seq seen by the previous catch-up sweep; guarded by this. */
    private long sweepMark;

    Session(TcpConnection connection, RateLimiter rateLimiter, Handoff handoff) {
        this.connection = connection;
        this.rateLimiter = rateLimiter;
        this.handoff = handoff;
    }

    public TcpConnection connection() {
        return connection;
    }

    /** Key of this session's strand: one connection's requests run in order. */
    long strandKey() {
        return connection.id();
    }

    /** Runs {@code task} on this session's strand, after its IO loop's current iteration. IO thread. */
    void handOff(Runnable task) {
        handoff.execute(strandKey(), task);
    }

    FrameCodec codec() {
        return codec;
    }

    void setCodec(FrameCodec codec) {
        this.codec = codec;
    }

    boolean isLegacy() {
        return codec.framing() == Framing.LEGACY;
    }

    boolean isLoggedIn() {
        return uid != 0;
    }

    long uid() {
        return uid;
    }

    String name() {
        return name;
    }

    RateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** Sends one message in this connection's framing. */
    void send(Message message) {
        connection.send(codec.encode(message));
    }

    /** The login this session holds (see {@link SessionRegistry#claim}), or null. */
    synchronized Claim claim() {
        return claim;
    }

    synchronized void setClaim(Claim claim) {
        this.claim = claim;
    }

    /**
     * Gives up {@code expected} if this session still holds it.
     *
     * @return false if it holds another claim or none (it left, or logged in again since)
     */
    synchronized boolean dropClaim(Claim expected) {
        if (!expected.equals(claim)) {
            return false;
        }
        claim = null;
        return true;
    }

    /**
     * Binds the user once LOGIN_ACK is on its way: pushes are accepted from now on,
     * starting after {@code acked}.
     */
    synchronized void bind(long uid, String name, long acked) {
        this.name = name;
        this.nextSeq = acked + 1;
        this.early.clear();
        this.uid = uid;
    }

    /** Unbinds the user (LOGINOUT, kick, disconnect); later pushes are dropped. */
    synchronized long unbind() {
        long was = uid;
        uid = 0;
        early.clear();
        return was;
    }

    /**
     * Moves the push cursor back to just after {@code after}, for SYNC and login replay:
     * later seqs are pushed again. Never forward: a client claiming more than it was
     * given must not make us skip messages that have not arrived yet.
     */
    synchronized void rewind(long after) {
        nextSeq = Math.min(nextSeq, after + 1);
    }

    /** The highest seq pushed so far. */
    synchronized long pushedUpTo() {
        return nextSeq - 1;
    }

    /**
     * Called by each catch-up sweep with the inbox's last seq: true if a message that
     * was already in the inbox at the previous sweep has still not been pushed. Messages
     * committed since then are probably on their way, and fetching them would only
     * duplicate work under load.
     */
    synchronized boolean behindSinceLastSweep(long lastSeq) {
        boolean behind = sweepMark >= nextSeq;
        sweepMark = lastSeq;
        return behind;
    }

    /** True if some seq before an early message has not arrived yet. */
    synchronized boolean hasGap() {
        return !early.isEmpty();
    }

    /**
     * Pushes {@code message} (which carries its seq) if it is the next one, then any
     * early ones it unblocks.
     *
     * @return true if the message had to wait for an earlier one (a gap)
     */
    synchronized boolean deliver(ChatMessage message) {
        long seq = message.seq();
        if (uid == 0 || seq < nextSeq) {
            return false;
        }
        if (seq > nextSeq) {
            early.put(seq, message);
            return true;
        }
        send(message);
        nextSeq++;
        for (ChatMessage next; (next = early.remove(nextSeq)) != null; nextSeq++) {
            send(next);
        }
        early.headMap(nextSeq).clear();
        return false;
    }

    @Override
    public String toString() {
        return uid == 0 ? connection.toString() : "user=" + uid + " " + connection;
    }
}
