package muchat.service;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import muchat.protocol.ChatMessage;
import muchat.protocol.FriendReplyNotice;
import muchat.protocol.FriendRequestNotice;
import muchat.protocol.InboxPush;
import muchat.protocol.Message;
import muchat.protocol.Errno;
import muchat.protocol.ErrorReply;
import muchat.protocol.Json;
import muchat.protocol.MsgType;
import muchat.protocol.ReadReceipt;
import muchat.protocol.RecallEvent;
import muchat.store.FriendStore;
import muchat.store.HistoryEntry;
import muchat.store.InboxEntry;
import muchat.store.MessageStore;
import muchat.store.StoreException;
import muchat.text.Printable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets stored messages to their recipients (docs/protocol.md section 5).
 *
 * <p>The fast path hands a freshly stored message to the sessions of the recipient's
 * devices on this instance ({@link Session#push}), and through the {@link OtherInstances} to
 * the other instances holding one of its devices. The database is the safety net: at
 * login and SYNC a session is replayed from its inbox, a session that sees a gap in seqs
 * or could not take a push is caught up from it ({@link Session.CatchUp}), and after the
 * cluster's fast path was down (and every few seconds anyway) sessions that fell behind
 * catch up.
 *
 * <p>Every read from the inbox is one page of at most {@link #PAGE} messages, so no
 * task holds a strand for long however full the inbox: the other connections of that
 * strand are served between two pages. A native client asks for the next page itself
 * (SYNC_DONE says {@code more}); the background catch-ups leave such a client alone and
 * push one page per run to the others, legacy connections among them.
 *
 * <p>Threads: {@link #route} and {@link #signal} from any thread (a group-commit lane,
 * a strand); the {@link OtherInstances.Listener} methods on the cluster's subscriber thread; the
 * {@link Session.CatchUp} methods on a session's IO loop; replays and catch-ups run on the
 * session's strand; the sweep on its own timer thread.
 */
final class Delivery implements OtherInstances.Listener, Session.CatchUp {
    private static final Logger log = LoggerFactory.getLogger(Delivery.class);
    /**
     * Inbox messages pushed per SYNC, per login replay and per catch-up run: one indexed
     * range read and the encoding of its rows, a few milliseconds of a strand, and at
     * most a few MiB of output even if every message is 4,000 characters. A client pays
     * one round trip per page: over a 100 ms link that still brings 2,000 messages a second.
     */
    private static final int PAGE = 200;
    /**
     * Recipients a message is handed to at once on the thread that routes it; a larger
     * delivery (a group's) is split into slices of at most this many, run on the strands.
     */
    static final int SLICE = 64;
    /** How often every local session is compared with its inbox, in case a push was lost. */
    private static final long SWEEP_SECONDS = 5;
    /**
     * How long after a SYNC_DONE with {@code more} the catch-ups leave a native session to
     * its client's SYNCs, which would otherwise get the same pages twice. A client silent
     * for longer is treated as one that does not page: the sweep pushes it a page a run.
     */
    private static final long CLIENT_PAGING_NANOS = TimeUnit.SECONDS.toNanos(SWEEP_SECONDS);

    private final MessageStore messages;
    private final SessionRegistry sessions;
    private final OtherInstances cluster;
    private final Strands strands;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(task -> new Thread(task, "muchat-delivery-sweep"));
    /** Null when there are no other instances to push to. */
    private final ClusterPublisher publisher;

    Delivery(MessageStore messages, SessionRegistry sessions, OtherInstances cluster, Strands strands) {
        this.messages = messages;
        this.sessions = sessions;
        this.cluster = cluster;
        this.strands = strands;
        this.publisher = cluster.exist() ? new ClusterPublisher(cluster) : null;
        timer.scheduleWithFixedDelay(this::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Hands a stored message to each recipient (uid to its seq), wherever the recipient's
     * devices are. Local sessions get it at once; the other instances through the
     * {@link ClusterPublisher}, in the caller's order (the caller is usually a group-commit
     * lane, in commit order). A delivery to more than {@value #SLICE} recipients is handed
     * on in slices instead, see {@link #routeInSlices}. {@code origin}, the session that
     * sent the message (null if none), is not shown its own copy ({@link Session#push}).
     */
    void route(InboxPush base, Map<Long, Long> deliveries) {
        route(base, deliveries, null);
    }

    /** As {@link #route(InboxPush, Map)}, but {@code origin} is not shown its own copy. */
    void route(InboxPush base, Map<Long, Long> deliveries, Session origin) {
        if (deliveries.size() > SLICE) {
            routeInSlices(base, deliveries, origin);
            return;
        }
        deliveries.forEach((uid, seq) -> routeOne(base, uid, seq, origin));
    }

    /**
     * A large group's fan-out: the caller (the thread that completes commits, which every
     * sender's SEND_ACK waits for) only splits it, and the strands push it, in tasks of at
     * most {@value #SLICE} recipients, so that no task holds a strand long and requests
     * queued on a strand run between the slices. A recipient always gets the same strand
     * ({@link Strands#strandOf} its uid), so its group pushes keep the order in which
     * they were routed; one that overtakes a one-to-one push, which is routed at once,
     * waits in its session for the gap to close ({@link InboxCursor}).
     */
    private void routeInSlices(InboxPush base, Map<Long, Long> deliveries, Session origin) {
        List<List<Map.Entry<Long, Long>>> byStrand = new ArrayList<>();
        for (int i = 0; i < strands.count(); i++) {
            byStrand.add(new ArrayList<>(SLICE));
        }
        for (Map.Entry<Long, Long> delivery : deliveries.entrySet()) {
            int strand = strands.strandOf(delivery.getKey());
            List<Map.Entry<Long, Long>> slice = byStrand.get(strand);
            slice.add(delivery);
            if (slice.size() == SLICE) {
                routeOn(strand, base, slice, origin);
                byStrand.set(strand, new ArrayList<>(SLICE));
            }
        }
        for (int strand = 0; strand < byStrand.size(); strand++) {
            if (!byStrand.get(strand).isEmpty()) {
                routeOn(strand, base, byStrand.get(strand), origin);
            }
        }
    }

    private void routeOn(int strand, InboxPush base, List<Map.Entry<Long, Long>> slice, Session origin) {
        strands.executeOn(strand, () -> slice.forEach(d -> routeOne(base, d.getKey(), d.getValue(), origin)));
    }

    /** Other instances may hold other devices of the user, whether or not this one holds some. */
    private void routeOne(InboxPush base, long uid, long seq, Session origin) {
        Collection<Session> here = sessions.sessionsOf(uid);
        if (!here.isEmpty()) {
            InboxPush numbered = base.withSeq(seq);
            for (Session session : here) {
                session.push(numbered, uid, session == origin);
            }
        }
        if (publisher != null && (here.isEmpty() || cluster.mayHaveDevicesElsewhere(uid))) {
            publisher.add(uid, seq, base);
        }
    }

    /**
     * Sends {@code signal}, a frame that is neither stored nor numbered (PRESENCE,
     * TYPING), to {@code uid} wherever the user is logged in on a native connection;
     * nobody gets it otherwise, not even later. Any thread.
     */
    void signal(long uid, Message signal) {
        signal(uid, signal, null);
    }

    /** As {@link #signal(long, Message)}, to every device of the user but {@code except}'s. */
    void signal(long uid, Message signal, Session except) {
        Collection<Session> here = sessions.sessionsOf(uid);
        if (!here.isEmpty()) {
            byte[] json = Json.bytes(signal);
            for (Session session : here) {
                if (session != except) {
                    session.sendSignal(signal.msgid(), json);
                }
            }
        }
        if (publisher != null && (here.isEmpty() || cluster.mayHaveDevicesElsewhere(uid))) {
            publisher.addSignal(uid, signal);
        }
    }

    /**
     * SYNC: pushes one page of the user's inbox after {@code after}, in order, then
     * SYNC_DONE saying whether more is waiting. Runs on the session's strand. If the inbox
     * cannot be read, the StoreException leaves before SYNC_DONE: that frame tells the
     * client whether more is waiting, which we would not know.
     */
    void replay(Session session, long after) {
        // The cursor never moves forward on a rewind: read from where it will be.
        long from = Math.min(after, session.pushedUpTo());
        session.rewind(after);
        replayPage(session, from);
    }

    /**
     * The replay right after LOGIN_ACK, from {@code acked}, where the login bound the
     * cursor: one page, then SYNC_DONE (native), or nothing (legacy, whose login ack
     * carried what fitted of it; the sweep brings the pages after the first). LOGIN_ACK
     * has gone out, so a database failure is told as the answer to a SYNC: ERROR 50 with
     * ref 105, and the client may send SYNC later. The sweep catches the session up too
     * once the database is back.
     */
    void replayAfterLogin(Session session, long acked) {
        try {
            replayPage(session, acked);
        } catch (StoreException e) {
            log.warn("cannot replay the inbox after login user={} {}: {}", session.uid(), session.connection(),
                    e.getMessage());
            if (!session.isLegacy()) {
                session.send(ErrorReply.forRequest(MsgType.SYNC, Errno.UNAVAILABLE, Errno.UNAVAILABLE.sentence(), null));
            }
        }
    }

    private void replayPage(Session session, long from) {
        Page page = pushPage(session, from);
        if (!session.isLegacy()) {
            session.endPage(page.more(), page.lastSeq());
        }
    }

    // ---- OtherInstances.Listener: the subscriber thread ------------------------------------------

    @Override
    public void onPush(long uid, long seq, byte[] json) {
        Collection<Session> here = sessions.sessionsOf(uid);
        if (here.isEmpty()) {
            return; // logged out meanwhile: the message waits in the database
        }
        try {
            InboxPush message = InboxPush.read(json);
            for (Session session : here) {
                session.push(message, uid, false);
            }
        } catch (IOException e) {
            log.warn("dropping an unreadable push for user={} seq={}: {}", uid, seq, Printable.escape(e.toString()));
        }
    }

    @Override
    public void onSignal(long uid, byte[] json) {
        int msgid = Json.msgidOf(json);
        for (Session session : sessions.sessionsOf(uid)) {
            session.sendSignal(msgid, json);
        }
    }

    /** Another instance's login took the claim {@code claimId} of one device of {@code uid}. */
    @Override
    public void onKick(long uid, long claimId) {
        sessions.kickHolder(uid, claimId, "logged in elsewhere");
    }

    @Override
    public void onResync() {
        timer.execute(this::catchUpAll);
    }

    void close() {
        timer.shutdownNow();
        if (publisher != null) {
            publisher.close();
        }
    }

    // ---- internals ---------------------------------------------------------------------------

    // ---- Session.CatchUp: the session's IO loop --------------------------------------------

    @Override
    public void gapNotFilled(Session session) {
        if (!session.pagedByClient(CLIENT_PAGING_NANOS)) {
            fillOnStrand(session);
        }
    }

    @Override
    public void drained(Session session) {
        fillOnStrand(session);
    }

    // ---- internals ---------------------------------------------------------------------------

    private void fillOnStrand(Session session) {
        strands.execute(session.strandKey(), () -> fill(session));
    }

    /** Pushes from the database the next page the session has not pushed yet, in the background. */
    private void fill(Session session) {
        try {
            pushPage(session, session.pushedUpTo());
        } catch (StoreException e) {
            log.warn("cannot catch up user={}: {}", session.uid(), e.getMessage());
        }
    }

    /**
     * One page of a replay: {@code more} if the inbox holds messages after it, or the
     * client could not take all of it; {@code lastSeq} the last seq it read.
     */
    private record Page(boolean more, long lastSeq) {
    }

    /**
     * Pushes the next page of the inbox after {@code from}, read in one query, as far as
     * the session can take it (a legacy connection's pacer holds only so many; the sweep
     * brings the rest once it has drained). One row more than a page is read to tell
     * whether more is waiting.
     */
    private Page pushPage(Session session, long from) {
        long uid = session.uid();
        if (uid == 0) {
            return new Page(false, from);
        }
        if (!session.canTakeMore()) {
            session.catchUpWhenDrained();
            return new Page(true, from);
        }
        List<InboxEntry> entries = messages.inboxAfter(uid, from, PAGE + 1);
        List<InboxEntry> page = entries.subList(0, Math.min(PAGE, entries.size()));
        for (InboxEntry entry : page) {
            if (!session.canTakeMore()) {
                session.catchUpWhenDrained();
                return new Page(true, from);
            }
            session.push(toPush(entry), uid, false);
        }
        return new Page(entries.size() > PAGE, page.isEmpty() ? from : page.get(page.size() - 1).seq());
    }

    /** The periodic sweep: fills sessions still missing what was already there last time. */
    private void sweep() {
        catchUp(Session::behindSinceLastSweep);
    }

    /** After an outage of the fast path: fills every session that is behind its inbox now. */
    private void catchUpAll() {
        catchUp((session, lastSeq) -> lastSeq > session.pushedUpTo());
    }

    private void catchUp(BiPredicate<Session, Long> behind) {
        List<Session> local = List.copyOf(sessions.sessions());
        if (local.isEmpty()) {
            return;
        }
        try {
            Map<Long, Long> last = messages.lastSeqs(local.stream().map(Session::uid).filter(u -> u != 0).distinct().toList());
            for (Session session : local) {
                Long lastSeq = last.get(session.uid());
                if (lastSeq != null && behind.test(session, lastSeq) && !session.pagedByClient(CLIENT_PAGING_NANOS)) {
                    fillOnStrand(session);
                }
            }
        } catch (StoreException e) {
            log.warn("catch-up sweep failed: {}", e.getMessage());
        }
    }

    /** An inbox entry as its user is pushed it. */
    static InboxPush toPush(InboxEntry e) {
        InboxPush push = switch (e.kind()) {
            case CHAT -> shown(e.message());
            case RECEIPT -> {
                long reader = e.sender() == e.uid() ? e.toUser() : e.sender();
                yield new ReadReceipt(reader, reader, null, e.mid(), null);
            }
            case RECALL -> new RecallEvent(e.mid(), e.sender(), e.toUser(), e.toGroup(), null);
            case FRIEND_REQUEST -> FriendRequestNotice.of(e.sender(), e.senderName(), e.ts());
            case FRIEND_REPLY -> FriendReplyNotice.of(e.sender(), e.senderName(),
                    FriendStore.ACCEPT.equals(e.text()), e.ts());
        };
        return push.withSeq(e.seq());
    }

    /** A stored message as HISTORY and pushes show it: a recalled one without its text. */
    static ChatMessage shown(HistoryEntry e) {
        ChatMessage m = chatMessage(e.sender(), e.senderName(), e.toUser(), e.toGroup(), e.text(), e.ts(), e.mid());
        return e.recalled() ? m.asRecalled() : m;
    }

    /** A stored message as clients see it, to a user or to a group, not yet numbered. */
    static ChatMessage chatMessage(long sender, String senderName, Long toUser, Long toGroup, String text,
                                   long ts, long mid) {
        return toGroup != null
                ? ChatMessage.toGroup(sender, senderName, toGroup, text, ts, mid)
                : ChatMessage.toUser(sender, senderName, toUser, text, ts, mid);
    }
}
