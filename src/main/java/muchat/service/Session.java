package muchat.service;

import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import muchat.codec.FrameCodec;
import muchat.codec.Framing;
import muchat.net.Buffer;
import muchat.net.TcpConnection;
import muchat.net.TcpConnection.ReadPause;
import muchat.protocol.ChatMessage;
import muchat.protocol.InboxPush;
import muchat.protocol.LegacyLoginAck;
import muchat.protocol.Message;
import muchat.protocol.SyncDone;

/**
 * A client connection as the chat service sees it: its framing, the user bound to it
 * after LOGIN, and the cursor that keeps pushes to that user in inbox {@code seq}
 * order.
 *
 * <p>Pushes reach a session from several threads (a group-commit lane, the cluster
 * subscriber, a strand's replay, the sweep). {@link #deliver} sends a message only when
 * it is the next seq; a message that arrives early waits until the gap before it is
 * filled, one that was already pushed is dropped, and while the client does not take
 * what it is sent pushes are left in the database for a catch-up.
 *
 * <p>Flow control: {@link #handOff} counts the requests read and not yet handled, and
 * pauses the connection's reading at the limit; {@link #rateShaper} pauses it over the
 * rate.
 *
 * <p>Threads: any thread; the push cursor and the claim are guarded by the session's
 * monitor. The codec is set once by the IO thread before any frame is dispatched;
 * {@link #handOff} and {@link #rateShaper} only from the connection's IO thread.
 */
public final class Session {
    /** Stands in {@link #early} for a push that moves the cursor without being written (see {@link #deliver}). */
    private static final ChatMessage UNSHOWN = ChatMessage.toUser(0, "", 0, "", 0, 0);
    /** Pushes held back behind a gap, at most; beyond that the catch-up from the database brings them. */
    private static final int MAX_EARLY = 1024;
    /** At most one TYPING a second is forwarded from one sender to one peer. */
    private static final long TYPING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long a connection we are closing may take to read our last words. */
    private static final long CLOSE_GRACE_MILLIS = 2000;

    private final TcpConnection connection;
    private volatile FrameCodec codec;
    /** Legacy connections only: writes their frames one at a time. */
    private volatile LegacyPacer pacer;
    private volatile long uid;
    private volatile String name;
    private volatile String device;
    /** True once the user is known to have devices besides this one (see {@link SessionRegistry#severalDevices}). */
    private volatile boolean severalDevices;
    private final RateShaper rateShaper;
    /** Its IO loop's, so that this connection's frames reach its strand in the order read. */
    private final Handoff handoff;
    /** Requests read but not yet handled; at {@link #maxPending} reading pauses. */
    private final AtomicInteger pending = new AtomicInteger();
    private final int maxPending;
    /** True while reading is paused for {@link #pending}; written by the IO thread only. */
    private volatile boolean backlogPaused;
    /** Set by {@link #keepPending} during a task; the strand's only. */
    private boolean keptPending;
    /** TYPINGs forwarded, made at the first; the strand's only. */
    private Throttle typing;
    /** True while a catch-up waits for the client to take its output. */
    private final AtomicBoolean catchUpWaiting = new AtomicBoolean();

    /** The login this session holds, bound or still under way; guarded by this. */
    private Claim claim;
    /** The next seq this user should be pushed; guarded by this. */
    private long nextSeq;
    /** Pushes that arrived before the ones in front of them; guarded by this. */
    private final NavigableMap<Long, InboxPush> early = new TreeMap<>();
    /** The inbox's last seq seen by the previous catch-up sweep; guarded by this. */
    private long sweepMark;
    /** True while the last SYNC_DONE said {@code more}: the client is asking for pages; guarded by this. */
    private boolean clientPaging;
    /** When that SYNC_DONE was sent, in {@link System#nanoTime}; guarded by this. */
    private long clientPagingSince;

    Session(TcpConnection connection, RateShaper rateShaper, Handoff handoff, int maxPending) {
        this.connection = connection;
        this.rateShaper = rateShaper;
        this.handoff = handoff;
        this.maxPending = maxPending;
    }

    public TcpConnection connection() {
        return connection;
    }

    /** Key of this session's strand: one connection's requests run in order. */
    long strandKey() {
        return connection.id();
    }

    /**
     * Runs {@code task} on this session's strand, after its IO loop's current iteration.
     * Until it has run it counts as pending: at {@link #maxPending} the connection stops
     * reading, and it reads again once half of them are done, so one client's pipelined
     * requests never queue up more work than that. IO thread.
     */
    void handOff(Runnable task) {
        if (pending.incrementAndGet() >= maxPending && !backlogPaused) {
            backlogPaused = true;
            connection.stopRead(ReadPause.REQUEST_BACKLOG);
            resumeIfHalfDone(); // the strand may have done half of them before it saw the pause
        }
        handoff.execute(strandKey(), () -> {
            try {
                task.run();
            } finally {
                if (keptPending) {
                    keptPending = false;
                } else {
                    donePending();
                }
            }
        });
    }

    /**
     * Keeps the request being handled pending after its task returns, until the returned
     * action runs (any thread, once): a chat is done when it is stored, not when it is
     * submitted, so a sender never has more than the limit waiting for the group commit.
     * On the strand, from the request's own task.
     */
    Runnable keepPending() {
        keptPending = true;
        return this::donePending;
    }

    /**
     * One request fewer pending. The IO loop is woken only while reading is paused for
     * them: a wake-up per request would cost a system call per message.
     */
    private void donePending() {
        if (pending.decrementAndGet() <= maxPending / 2 && backlogPaused) {
            connection.loop().queueInLoop(this::resumeIfHalfDone);
        }
    }

    private void resumeIfHalfDone() {
        if (backlogPaused && pending.get() <= maxPending / 2) {
            backlogPaused = false;
            connection.startRead(ReadPause.REQUEST_BACKLOG);
        }
    }

    FrameCodec codec() {
        return codec;
    }

    /** Set once, by the IO thread, before the first frame is dispatched; {@code pacer} for legacy framing. */
    void setCodec(FrameCodec codec, LegacyPacer pacer) {
        this.pacer = pacer;
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

    /** The device of the bound user this session is (docs/protocol.md section 2). */
    String device() {
        return device;
    }

    boolean severalDevices() {
        return severalDevices;
    }

    /** Set at login, and when another device of the user logs in here. */
    void setSeveralDevices(boolean several) {
        this.severalDevices = several;
    }

    /** IO thread only. */
    RateShaper rateShaper() {
        return rateShaper;
    }

    /** Sends one message in this connection's framing. */
    void send(Message message) {
        write(message, 0, 0);
    }

    /** The classic LOGIN_ACK: once written, the inbox messages it carries (up to {@code upToSeq}) are delivered. */
    void sendLegacyLoginAck(LegacyLoginAck ack, long uid, long upToSeq) {
        write(ack, uid, upToSeq);
    }

    /** Half-closes once our last words are written, and closes for good a little later. */
    void closeAfterGrace() {
        Runnable close = () -> {
            connection.shutdown();
            connection.loop().runAfter(CLOSE_GRACE_MILLIS, connection::forceClose);
        };
        if (pacer != null) {
            pacer.closeAfterWritten(close);
        } else {
            close.run();
        }
    }

    /**
     * False while the client does not take what we send: its connection's output is over
     * its limit, or a legacy connection has as many frames waiting as it may. Pushes then
     * stay in the database, and a catch-up (login replay, SYNC, sweep) brings them later.
     */
    boolean canTakeMore() {
        LegacyPacer p = pacer;
        return p != null ? p.hasRoom() : !connection.isOutputFull();
    }

    /** {@code seq} > 0: the frame delivers {@code uid}'s inbox up to it (counted when written, for legacy). */
    private void write(Message message, long uid, long seq) {
        Buffer frame = codec.encode(message);
        LegacyPacer p = pacer;
        if (p != null) {
            p.send(frame, uid, seq);
        } else {
            connection.send(frame);
        }
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
    synchronized void bind(long uid, String device, String name, long acked) {
        this.name = name;
        this.device = device;
        this.nextSeq = acked + 1;
        this.early.clear();
        this.clientPaging = false;
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

    /**
     * Ends one page of a replay (native connections): SYNC_DONE with {@code upto} the
     * last seq written before it, which the lock guarantees even while other threads
     * push. With {@code more}, the client is expected to ask for the next page.
     */
    synchronized void sendSyncDone(boolean more) {
        clientPaging = more;
        clientPagingSince = System.nanoTime();
        write(new SyncDone(nextSeq - 1, more), 0, 0);
    }

    /**
     * True if the last SYNC_DONE, sent less than {@code withinNanos} ago, said
     * {@code more}: the client is fetching the inbox page by page itself.
     */
    synchronized boolean pagedByClient(long withinNanos) {
        return clientPaging && System.nanoTime() - clientPagingSince < withinNanos;
    }

    /** True if some seq before an early message has not arrived yet. */
    synchronized boolean hasGap() {
        return !early.isEmpty();
    }

    /** What {@link #deliver} did with a push. */
    enum Outcome {
        /** Sent, or already sent before, or nobody is logged in: nothing more to do. */
        DONE,
        /** Held back until the seqs before it arrive: a gap to fill if they do not. */
        HELD,
        /** Dropped because the client does not take what we send: catch up once it does. */
        FULL
    }

    /**
     * Pushes {@code message} (which carries its seq) if it is the next one, then any
     * early ones it unblocks; drops it, leaving it to a catch-up from the database, if
     * the connection cannot take more now ({@link #canTakeMore}).
     *
     * <p>Some pushes only move the cursor, unwritten, and need no room: the copy of a
     * message the user sent from this very session ({@code sentHere}: its SEND_ACK carried
     * the seq), and on a legacy connection every message the user sent, which a classic
     * client has no way to show as its own (docs/protocol.md section 2), and what classic
     * clients never get ({@link InboxPush#classic}, docs/protocol.md section 7). Such a
     * push on a legacy connection is acknowledged with the next frame written, as a
     * classic client acks by reading.
     */
    synchronized Outcome deliver(InboxPush message, boolean sentHere) {
        long seq = message.seq();
        if (uid == 0 || seq < nextSeq) {
            return Outcome.DONE;
        }
        boolean shown = shown(message, sentHere);
        if (shown && !canTakeMore()) {
            return Outcome.FULL;
        }
        if (seq > nextSeq) {
            if (early.size() >= MAX_EARLY) {
                return Outcome.FULL; // a gap this long is filled from the database anyway
            }
            early.put(seq, shown ? message : UNSHOWN);
            return Outcome.HELD;
        }
        if (shown) {
            write(message, uid, seq);
        }
        nextSeq++;
        for (InboxPush next; canTakeMore() && (next = early.remove(nextSeq)) != null; nextSeq++) {
            if (next != UNSHOWN) {
                write(next, uid, next.seq());
            }
        }
        early.headMap(nextSeq).clear();
        return Outcome.DONE;
    }

    private boolean shown(InboxPush message, boolean sentHere) {
        return !sentHere && (!isLegacy()
                || message.classic() && !(message instanceof ChatMessage chat && chat.id() == uid));
    }

    /**
     * Sends a frame that is neither stored nor numbered (PRESENCE, TYPING), already
     * serialised, to a native connection with a user; dropped otherwise. Any thread.
     */
    void sendSignal(int msgid, byte[] json) {
        if (pacer == null && uid != 0) {
            Buffer frame = new Buffer(json.length + 8);
            codec.encode(msgid, json, frame);
            connection.send(frame);
        }
    }

    /**
     * Whether a TYPING to {@code peer} may be forwarded now: at most one a second per
     * peer. The session's strand only.
     */
    boolean mayForwardTyping(long peer) {
        if (typing == null) {
            typing = new Throttle(TYPING_INTERVAL_NANOS);
        }
        return typing.tryAcquire(peer, System.nanoTime());
    }

    /**
     * Runs {@code catchUp} once the client has taken everything sent so far, unless one is
     * waiting for that already. Legacy connections are caught up by the sweep instead: their
     * pacer drains the socket at once, so this would fire before the pacer has room.
     */
    void catchUpWhenDrained(Runnable catchUp) {
        if (pacer == null && catchUpWaiting.compareAndSet(false, true)) {
            connection.runWhenOutputDrained(() -> {
                catchUpWaiting.set(false);
                catchUp.run();
            });
        }
    }

    @Override
    public String toString() {
        return uid == 0 ? connection.toString() : "user=" + uid + " " + connection;
    }
}
