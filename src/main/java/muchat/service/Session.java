package muchat.service;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import muchat.codec.FrameCodec;
import muchat.codec.Framing;
import muchat.net.Buffer;
import muchat.net.TcpConnection;
import muchat.net.TcpConnection.ReadPause;
import muchat.protocol.ChatMessage;
import muchat.protocol.InboxPush;
import muchat.protocol.LegacyLoginAck;
import muchat.protocol.Message;
import muchat.protocol.MsgType;
import muchat.protocol.SyncDone;

/**
 * A client connection as the chat service sees it: its framing, the user bound to it
 * after LOGIN, and everything it is sent.
 *
 * <p><b>Output has one owner: the connection's IO loop.</b> Replies, pushes and signals
 * are encoded on the thread that sends them (a strand, a group-commit lane, the cluster
 * subscriber), then posted to this session's mailbox, which its loop runs in order. There
 * the {@link InboxCursor} puts pushes in {@code seq} order, and the frames of one run of
 * the mailbox leave in one write. So everything a session sends keeps the order in which
 * it was posted (a SYNC_DONE after its page, a reply after the pushes posted before it),
 * with no lock, and a burst to one client costs one system call.
 *
 * <p>Flow control: {@link #handOff} counts the requests read and not yet handled, and
 * pauses the connection's reading at the limit; {@link #rateShaper} pauses it over the
 * rate. While the client does not take what it is sent, pushes stay in the database
 * and a catch-up ({@link CatchUp}) brings them once it does.
 *
 * <p>Threads: the user, device and name are the strand's, set by login and read by any
 * thread; posting output, {@link #push}, {@link #claim} and the snapshots
 * ({@link #pushedUpTo}, {@link #pagedByClient}) from any thread; the codec is set once
 * by the IO thread before any frame is dispatched; {@link #handOff} and
 * {@link #rateShaper} from the IO thread; {@link #behindSinceLastSweep} from the sweep's
 * thread only. Everything named "in loop" runs on the IO loop only.
 */
public final class Session {
    /** How long a connection we are closing may take to read our last words. */
    private static final long CLOSE_GRACE_MILLIS = 2000;
    /** How long an early push waits for the ones before it before we ask the database. */
    private static final long GAP_WAIT_MILLIS = 100;
    /** Frames gathered for one write, at most: beyond it they go out, and count against the output limit. */
    private static final int GATHER_BYTES = 64 * 1024;
    /** At most one TYPING a second is forwarded from one sender to one peer. */
    private static final long TYPING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Requests whose replies the classic client never got (docs/protocol.md section 7),
     * but for a refusal the classic server never made (errno 16: a closed or full group),
     * without which the person could not tell why nothing happened.
     */
    private static final Set<MsgType> SILENT_FOR_LEGACY =
            EnumSet.of(MsgType.ADD_FRIEND, MsgType.CREATE_GROUP, MsgType.ADD_GROUP);

    /**
     * Brings a session's pushes from the database when the fast path could not write
     * them: {@link Delivery} does it on the session's strand. Called on the IO loop.
     */
    interface CatchUp {
        /** Seqs before an early push have not come within a short wait. */
        void gapNotFilled(Session session);

        /** The client has taken what it was sent, after pushes were dropped for it. */
        void drained(Session session);
    }

    private final TcpConnection connection;
    private final CatchUp catchUp;
    private volatile FrameCodec codec;
    /** Legacy connections only: writes their frames one at a time. */
    private volatile LegacyPacer pacer;
    private volatile long uid;
    private volatile String name;
    private volatile String device;
    /** True once the user is known to have devices besides this one (see {@link SessionRegistry#severalDevices}). */
    private volatile boolean severalDevices;
    /** The login this session holds, bound or still under way (see {@link SessionRegistry#claim}), or null. */
    private final AtomicReference<Claim> claim = new AtomicReference<>();

    // ---- requests: the IO thread hands them to the strand ------------------------------------

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
    /** The inbox's last seq seen by the previous catch-up sweep; the sweep's only. */
    private long sweepMark;

    // ---- output: posted by any thread, run by the IO loop --------------------------------------

    private final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
    /** True while a run of the mailbox is queued on the loop. */
    private final AtomicBoolean mailboxQueued = new AtomicBoolean();
    /** Frames of this run of the mailbox, not yet written; loop only. */
    private Buffer gathered;
    /** Loop only. */
    private final InboxCursor cursor = new InboxCursor(new InboxCursor.Output() {
        @Override
        public boolean canTakeMore() {
            return Session.this.canTakeMore();
        }

        @Override
        public void write(Buffer frame, long uid, long seq) {
            writeInLoop(frame, uid, seq);
        }
    });
    /** True while a catch-up waits for the client to take its output; loop only. */
    private boolean catchUpWaiting;
    /** True while the last SYNC_DONE said {@code more}: the client is asking for pages. Written in loop. */
    private volatile boolean clientPaging;
    /** When that SYNC_DONE was sent, in {@link System#nanoTime}. Written in loop. */
    private volatile long clientPagingSince;

    Session(TcpConnection connection, RateShaper rateShaper, Handoff handoff, int maxPending, CatchUp catchUp) {
        this.connection = connection;
        this.rateShaper = rateShaper;
        this.handoff = handoff;
        this.maxPending = maxPending;
        this.catchUp = catchUp;
    }

    public TcpConnection connection() {
        return connection;
    }

    /** Key of this session's strand: one connection's requests run in order. */
    long strandKey() {
        return connection.id();
    }

    // ---- requests ------------------------------------------------------------------------------

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
        handoff.add(strandKey(), () -> {
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

    /** IO thread only. */
    RateShaper rateShaper() {
        return rateShaper;
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

    // ---- who it is -----------------------------------------------------------------------------

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

    /** The login this session holds, or null. */
    Claim claim() {
        return claim.get();
    }

    void setClaim(Claim claim) {
        this.claim.set(claim);
    }

    /**
     * Gives up {@code expected} if this session still holds it.
     *
     * @return false if it holds another claim or none (it left, or logged in again since)
     */
    boolean dropClaim(Claim expected) {
        return claim.compareAndSet(expected, null);
    }

    /**
     * Binds the user once LOGIN_ACK is posted: pushes posted from now on are written,
     * starting after {@code acked}. The strand.
     */
    void bind(long uid, String device, String name, long acked) {
        this.name = name;
        this.device = device;
        this.uid = uid;
        post(() -> cursor.bind(uid, acked));
    }

    /** Unbinds the user (LOGINOUT, kick, disconnect); pushes posted later are dropped. The strand. */
    long unbind() {
        long was = uid;
        uid = 0;
        post(cursor::unbind);
        return was;
    }

    // ---- output: any thread ----------------------------------------------------------------------

    /** Sends one message in this connection's framing. */
    void send(Message message) {
        Buffer frame = codec.encode(message);
        post(() -> writeInLoop(frame, 0, 0));
    }

    /** Sends a reply to a request of {@code type}, unless classic clients never got one. */
    void reply(MsgType type, Message reply) {
        if (!isLegacy() || !SILENT_FOR_LEGACY.contains(type)) {
            send(reply);
        }
    }

    /** The classic LOGIN_ACK: once written, the inbox messages it carries (up to {@code upToSeq}) are delivered. */
    void sendLegacyLoginAck(LegacyLoginAck ack, long uid, long upToSeq) {
        Buffer frame = codec.encode(ack);
        post(() -> writeInLoop(frame, uid, upToSeq));
    }

    /**
     * Sends a frame that is neither stored nor numbered (PRESENCE, TYPING), already
     * serialised, to a native connection with a user; dropped otherwise.
     */
    void sendSignal(int msgid, byte[] json) {
        if (pacer == null && uid != 0) {
            Buffer frame = new Buffer(json.length + 8);
            codec.encode(msgid, json, frame);
            post(() -> writeInLoop(frame, 0, 0));
        }
    }

    /**
     * Pushes {@code message}, numbered in {@code uid}'s inbox; the loop writes it in seq
     * order, if this session is still bound to {@code uid} then.
     *
     * <p>Some pushes only move the cursor, unwritten: the copy of a message the user sent
     * from this very session ({@code sentHere}: its SEND_ACK carried the seq), and on a
     * legacy connection every message the user sent, which a classic client has no way to
     * show as its own (docs/protocol.md section 2), and what classic clients never get
     * ({@link InboxPush#classic}, docs/protocol.md section 7). Such a push on a legacy
     * connection is acknowledged with the next frame written, as a classic client acks by
     * reading.
     */
    void push(InboxPush message, long uid, boolean sentHere) {
        Buffer frame = shown(message, uid, sentHere) ? codec.encode(message) : null;
        long seq = message.seq();
        post(() -> pushInLoop(uid, seq, frame));
    }

    private boolean shown(InboxPush message, long uid, boolean sentHere) {
        return !sentHere && (!isLegacy()
                || message.classic() && !(message instanceof ChatMessage chat && chat.id() == uid));
    }

    /**
     * Moves the push cursor back to just after {@code after}, for SYNC and login replay:
     * later seqs are pushed again, but never a seq the cursor has not reached (see
     * {@link InboxCursor#rewind}).
     */
    void rewind(long after) {
        post(() -> cursor.rewind(after));
    }

    /**
     * Ends one page of a replay (native connections): SYNC_DONE with {@code upto} the
     * last seq written before it. It says {@code more} if the page was not the end of the
     * inbox ({@code moreInInbox}), or if the client could not take all of it, up to
     * {@code lastSeq}: the client is then expected to ask for the next page.
     */
    void endPage(boolean moreInInbox, long lastSeq) {
        post(() -> {
            long upto = cursor.pushedUpTo();
            boolean more = moreInInbox || upto < lastSeq;
            clientPaging = more;
            clientPagingSince = System.nanoTime();
            writeInLoop(codec.encode(new SyncDone(upto, more)), 0, 0);
        });
    }

    /** Half-closes once everything posted before is written, and closes for good a little later. */
    void closeAfterGrace() {
        post(() -> {
            Runnable close = () -> {
                connection.shutdown();
                connection.loop().runAfter(CLOSE_GRACE_MILLIS, connection::forceClose);
            };
            LegacyPacer p = pacer;
            if (p != null) {
                p.closeAfterWritten(close);
            } else {
                flushInLoop();
                close.run();
            }
        });
    }

    // ---- snapshots: any thread -----------------------------------------------------------------

    /**
     * False while the client does not take what we send: its connection's output is over
     * its limit, or a legacy connection has as many frames waiting as it may. Exact on
     * the loop; elsewhere a hint.
     */
    boolean canTakeMore() {
        LegacyPacer p = pacer;
        return p != null ? p.hasRoom() : !connection.isOutputFull();
    }

    /** The highest seq pushed so far; a snapshot, which pushes on their way may pass. */
    long pushedUpTo() {
        return cursor.pushedUpTo();
    }

    /**
     * True if the last SYNC_DONE, sent less than {@code withinNanos} ago, said
     * {@code more}: the client is fetching the inbox page by page itself.
     */
    boolean pagedByClient(long withinNanos) {
        return clientPaging && System.nanoTime() - clientPagingSince < withinNanos;
    }

    /**
     * Called by each catch-up sweep with the inbox's last seq: true if a message that
     * was already in the inbox at the previous sweep has still not been pushed. Messages
     * committed since then are probably on their way, and fetching them would only
     * duplicate work under load. The sweep's thread only.
     */
    boolean behindSinceLastSweep(long lastSeq) {
        boolean behind = sweepMark > pushedUpTo();
        sweepMark = lastSeq;
        return behind;
    }

    /**
     * Asks for a catch-up once the client has taken everything sent so far, unless one
     * waits for that already. Legacy connections are caught up by the sweep instead: their
     * pacer drains the socket at once, so this would fire before the pacer has room.
     */
    void catchUpWhenDrained() {
        post(this::catchUpWhenDrainedInLoop);
    }

    // ---- the IO loop -------------------------------------------------------------------------------

    /** Queues {@code action} for the loop; a run of the mailbox takes everything posted until then. */
    private void post(Runnable action) {
        mailbox.add(action);
        if (mailboxQueued.compareAndSet(false, true)) {
            connection.loop().queueInLoop(this::runMailbox);
        }
    }

    private void runMailbox() {
        mailboxQueued.set(false); // before polling: what is posted from now on queues another run
        for (Runnable action; (action = mailbox.poll()) != null; ) {
            action.run();
        }
        flushInLoop();
    }

    private void pushInLoop(long uid, long seq, Buffer frame) {
        switch (cursor.offer(uid, seq, frame)) {
            case HELD -> connection.loop().runAfter(GAP_WAIT_MILLIS, () -> {
                if (cursor.hasGap()) {
                    catchUp.gapNotFilled(this);
                }
            });
            case FULL -> catchUpWhenDrainedInLoop();
            case DONE -> { }
        }
    }

    private void catchUpWhenDrainedInLoop() {
        if (pacer == null && !catchUpWaiting) {
            catchUpWaiting = true;
            flushInLoop();
            connection.runWhenOutputDrained(() -> {
                catchUpWaiting = false;
                catchUp.drained(this);
            });
        }
    }

    /** {@code seq} > 0: the frame delivers {@code uid}'s inbox up to it (counted when written, for legacy). */
    private void writeInLoop(Buffer frame, long uid, long seq) {
        LegacyPacer p = pacer;
        if (p != null) {
            p.send(frame, uid, seq);
        } else if (gathered == null) {
            gathered = frame;
        } else {
            gathered.append(frame.array(), frame.readerIndex(), frame.readableBytes());
            if (gathered.readableBytes() >= GATHER_BYTES) {
                flushInLoop();
            }
        }
    }

    private void flushInLoop() {
        if (gathered != null) {
            Buffer frames = gathered;
            gathered = null;
            connection.send(frames);
        }
    }

    @Override
    public String toString() {
        return uid == 0 ? connection.toString() : "user=" + uid + " " + connection;
    }
}
