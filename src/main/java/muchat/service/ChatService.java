package muchat.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import muchat.codec.FrameCodec;
import muchat.codec.FrameCodecs;
import muchat.codec.Framing;
import muchat.codec.FrameSink;
import muchat.codec.FrameError;
import muchat.net.Buffer;
import muchat.net.EventLoop;
import muchat.net.TcpConnection;
import muchat.protocol.AddFriend;
import muchat.protocol.AddGroup;
import muchat.protocol.Conversations;
import muchat.protocol.CreateGroup;
import muchat.protocol.ErrorReply;
import muchat.protocol.FriendReply;
import muchat.protocol.Errno;
import muchat.protocol.GroupChat;
import muchat.protocol.GroupDecide;
import muchat.protocol.GroupRequests;
import muchat.protocol.History;
import muchat.protocol.Json;
import muchat.protocol.Login;
import muchat.protocol.Message;
import muchat.protocol.MsgType;
import muchat.protocol.OneChat;
import muchat.protocol.ProtocolException;
import muchat.protocol.Read;
import muchat.protocol.Recall;
import muchat.protocol.RecvAck;
import muchat.protocol.Reg;
import muchat.protocol.Request;
import muchat.protocol.Sync;
import muchat.protocol.Typing;
import muchat.store.Database;
import muchat.store.MessageStore;
import muchat.store.StoreException;
import muchat.text.Printable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat service: every decoded frame comes here, and its msgid selects a handler in
 * {@link #handlers}. Frames are handed from the IO thread to the connection's strand
 * (see {@link Strands}), so handlers may call the database and one connection's
 * requests are handled in the order they came in. Chat messages are the exception to
 * reply order: their SEND_ACK waits for the group commit (in order among themselves),
 * so a later request's reply may overtake it.
 *
 * <p>Threads: {@link #onConnection} and {@link #onMessage} are called by IO threads and
 * return at once; handlers run on strands; {@link #finishRequests} and {@link #shutdown}
 * by the server's owner.
 */
public final class ChatService {
    private static final Logger log = LoggerFactory.getLogger(ChatService.class);
    /** What a client may do before LOGIN; anything else is errno 10 (docs/protocol.md section 4). */
    private static final Set<MsgType> BEFORE_LOGIN = EnumSet.of(MsgType.REG, MsgType.LOGIN, MsgType.HEARTBEAT);
    /**
     * Requests that count against a connection's rate: every one that reads or writes the
     * database or reaches other users. LOGIN and REG have limits of their own (failed
     * logins, registrations per address); HEARTBEAT, RECV_ACK and LOGINOUT cost nothing.
     */
    private static final Set<MsgType> SHAPED = EnumSet.of(MsgType.ONE_CHAT, MsgType.GROUP_CHAT, MsgType.SYNC,
            MsgType.HISTORY, MsgType.CONVERSATIONS, MsgType.READ, MsgType.RECALL, MsgType.TYPING,
            MsgType.ADD_FRIEND, MsgType.FRIEND_REPLY, MsgType.CREATE_GROUP, MsgType.ADD_GROUP,
            MsgType.GROUP_REQUESTS, MsgType.GROUP_DECIDE);
    /** Requests a legacy connection does not know: to it they are unknown msgids (errno 12). */
    private static final Set<MsgType> NATIVE_ONLY = EnumSet.of(MsgType.GROUP_REQUESTS, MsgType.GROUP_DECIDE,
            MsgType.CONVERSATIONS, MsgType.READ, MsgType.RECALL, MsgType.TYPING, MsgType.FRIEND_REPLY);
    /**
     * TCP keepalive for legacy connections, which are never closed for silence: a dead
     * classic client is found after about two minutes without traffic.
     */
    private static final Duration KEEPALIVE_IDLE = Duration.ofSeconds(60);
    private static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(10);
    private static final int KEEPALIVE_PROBES = 6;

    /** One step of the protocol: what a request of one msgid does. */
    @FunctionalInterface
    interface Handler {
        void handle(Session session, Request request);
    }

    private final Map<MsgType, Handler> handlers = new EnumMap<>(MsgType.class);
    private final Strands strands;
    /** One per IO loop, made on its first connection. */
    private final Map<EventLoop, Handoff> handoffs = new ConcurrentHashMap<>();
    /** One per IO loop, made on its first connection. */
    private final Map<EventLoop, LoginDeadline> loginDeadlines = new ConcurrentHashMap<>();
    private final SessionRegistry sessions;
    private final Delivery delivery;
    private final OtherInstances cluster;
    private final Limits limits;
    private final LegacyPacer.Delivered legacyDelivered;
    private final PresenceNotices presence;

    /**
     * What one connection may ask of the server.
     *
     * @param rate         requests per second that count against a connection (see {@link #SHAPED}, {@link RateShaper})
     * @param maxPending   requests read but not yet handled; at this many, reading pauses
     * @param maxFrame     largest frame accepted, in bytes (errno 13 above)
     * @param loginTimeout how long a connection may go without a logged-in user
     * @param maxGroupMembers members one group may have, and requests waiting to join it
     * @param maxDevices   devices one user may be logged in on at once
     * @param recallWindow how long after sending a message may be recalled
     * @param openFriends  ADD_FRIEND makes a friendship at once, without a request
     */
    public record Limits(int rate, int maxPending, int maxFrame, Duration loginTimeout, int maxGroupMembers,
                         int maxDevices, Duration recallWindow, boolean openFriends) {
    }

    /**
     * What logins and registrations may cost (docs/protocol.md section 6.7).
     *
     * @param loginBackoff          the wait after 5 failed logins of an account or address (zero: none)
     * @param throttleAddresses     whether failed logins count per client address too
     * @param registrationsPerHour  accounts one client address may register an hour (0: any number)
     */
    public record AccountLimits(Duration loginBackoff, boolean throttleAddresses, int registrationsPerHour) {
    }

    public ChatService(Database database, OtherInstances cluster, Strands strands, Limits limits,
                       AccountLimits accountLimits) {
        this.strands = strands;
        this.cluster = cluster;
        this.limits = limits;
        this.sessions = new SessionRegistry(cluster, strands, limits.maxDevices());
        MessageStore messages = database.messages();
        this.legacyDelivered = (uid, seq) -> messages.ack(uid, Login.LEGACY_DEVICE, seq);
        this.delivery = new Delivery(database.messages(), sessions, cluster, strands);
        UserDirectory directory = new UserDirectory(database.users());
        this.presence = new PresenceNotices(database.friends(), sessions, delivery, strands);
        sessions.onDeparture(presence::left);
        Social social = new Social(database, sessions, limits.maxGroupMembers());
        FriendRequests friendRequests = new FriendRequests(database, delivery, directory, limits.openFriends());
        Reading reading = new Reading(database.conversations(), database.messages(), database.groups(), delivery);
        Recalls recalls = new Recalls(database.messages(), database.groups(), delivery, limits.recallWindow());
        Accounts accounts = new Accounts(database, sessions, delivery, directory, social, reading,
                new LoginThrottle(accountLimits.loginBackoff(), accountLimits.throttleAddresses(),
                        ChatService::monotonicMillis, LruMap.DEFAULT_CAPACITY),
                new RegistrationLimit(accountLimits.registrationsPerHour(), ChatService::monotonicMillis,
                        LruMap.DEFAULT_CAPACITY),
                presence);
        TypingForwarder typing = new TypingForwarder(database.friends(), delivery);
        Chats chats = new Chats(database.messages(), database.groups(), directory, delivery, sessions);
        cluster.setListener(delivery);

        handlers.put(MsgType.REG, (s, r) -> accounts.register(s, (Reg) r));
        handlers.put(MsgType.LOGIN, (s, r) -> accounts.login(s, (Login) r));
        handlers.put(MsgType.LOGINOUT, (s, r) -> {
            accounts.logout(s);
            loginDeadline(s.connection().loop()).restart(s);
        });
        handlers.put(MsgType.HEARTBEAT, (s, r) -> accounts.heartbeat(s));
        handlers.put(MsgType.ADD_FRIEND, (s, r) -> friendRequests.addFriend(s, (AddFriend) r));
        handlers.put(MsgType.FRIEND_REPLY, (s, r) -> friendRequests.replyToFriend(s, (FriendReply) r));
        handlers.put(MsgType.TYPING, (s, r) -> typing.forward(s, (Typing) r));
        handlers.put(MsgType.CREATE_GROUP, (s, r) -> social.createGroup(s, (CreateGroup) r));
        handlers.put(MsgType.ADD_GROUP, (s, r) -> social.joinGroup(s, (AddGroup) r));
        handlers.put(MsgType.GROUP_REQUESTS, (s, r) -> social.listRequests(s, (GroupRequests) r));
        handlers.put(MsgType.GROUP_DECIDE, (s, r) -> social.decide(s, (GroupDecide) r));
        handlers.put(MsgType.ONE_CHAT, (s, r) -> chats.oneChat(s, (OneChat) r));
        handlers.put(MsgType.GROUP_CHAT, (s, r) -> chats.groupChat(s, (GroupChat) r));
        handlers.put(MsgType.RECV_ACK, (s, r) -> chats.recvAck(s, (RecvAck) r));
        handlers.put(MsgType.SYNC, (s, r) -> chats.sync(s, (Sync) r));
        handlers.put(MsgType.HISTORY, (s, r) -> chats.history(s, (History) r));
        handlers.put(MsgType.CONVERSATIONS, (s, r) -> reading.list(s, (Conversations) r));
        handlers.put(MsgType.READ, (s, r) -> reading.read(s, (Read) r));
        handlers.put(MsgType.RECALL, (s, r) -> recalls.recall(s, (Recall) r));
    }

    /** Milliseconds on a clock that setting the system time does not move, for the limits' waits. */
    private static long monotonicMillis() {
        return System.nanoTime() / 1_000_000;
    }

    // ---- from the IO threads ---------------------------------------------------------------

    /**
     * Connection callback: a session is born with its connection and ends with it, and
     * must have a user within the login timeout.
     */
    public void onConnection(TcpConnection connection) {
        if (connection.isConnected()) {
            Handoff handoff = handoffs.computeIfAbsent(connection.loop(), loop -> new Handoff(loop, strands));
            Session session = new Session(connection, new RateShaper(connection, limits.rate()), handoff,
                    limits.maxPending(), delivery);
            connection.setContext(session);
            loginDeadline(connection.loop()).start(session);
        } else if (connection.context() instanceof Session session) {
            loginDeadline(connection.loop()).forget(session);
            session.handOff(() -> sessions.leave(session, "disconnected"));
        }
    }

    private LoginDeadline loginDeadline(EventLoop loop) {
        return loginDeadlines.computeIfAbsent(loop, l -> new LoginDeadline(l, limits.loginTimeout()));
    }

    /**
     * Message callback: picks the framing from the first byte, cuts frames and hands each
     * to the connection's strand; chat frames count against the connection's rate, which
     * may pause its reading. Nothing here waits.
     */
    public void onMessage(TcpConnection connection, Buffer input) {
        Session session = (Session) connection.context();
        if (session.codec() == null) {
            startSession(session, FrameCodecs.sniff(input, limits.maxFrame()));
        }
        session.codec().decode(input, new FrameSink() {
            @Override
            public void frame(int msgid, ObjectNode body) {
                if (SHAPED.contains(MsgType.of(msgid))) {
                    session.rateShaper().onFrame();
                }
                session.handOff(() -> dispatch(session, msgid, body));
            }

            @Override
            public void error(FrameError error) {
                session.handOff(() -> answerBadFrame(session, error));
            }

            @Override
            public boolean wantsMore() {
                return connection.isReading();
            }
        });
    }

    /**
     * Fixes the session's framing on its first bytes. A classic client sends no
     * heartbeats and reads one message per {@code recv}: its connection gets TCP keepalive
     * instead of the idle timeout, and a pacer for its frames.
     */
    private void startSession(Session session, FrameCodec codec) {
        if (codec.framing() != Framing.LEGACY) {
            session.setCodec(codec, null);
            return;
        }
        TcpConnection connection = session.connection();
        connection.keepAliveInsteadOfIdleTimeout(KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_PROBES);
        session.setCodec(codec, new LegacyPacer(connection, legacyDelivered));
    }

    /** Users logged in on this instance. */
    public int onlineHere() {
        return sessions.size();
    }

    /**
     * Runs every request already read (the IO loops must have stopped reading): chats
     * among them are submitted to the store, whose close then commits and answers them.
     */
    public void finishRequests() throws InterruptedException {
        strands.drain(10, TimeUnit.SECONDS);
    }

    /** Finishes queued work, forgets this instance's users and stops the logic threads. */
    public void shutdown() throws InterruptedException {
        for (Session session : sessions.sessions()) {
            sessions.leave(session, "server stopping");
        }
        strands.shutdown(10, TimeUnit.SECONDS);
        presence.close();
        delivery.close();
    }

    // ---- on the strand ------------------------------------------------------------------------

    private static void answerBadFrame(Session session, FrameError error) {
        session.send(error.reply());
        if (error.fatal()) {
            log.warn("closed {} reason={} ({})", session, error.errno().name().toLowerCase().replace('_', '-'),
                    Printable.escape(error.errmsg()));
            session.closeAfterGrace();
        }
    }

    private void dispatch(Session session, int msgid, ObjectNode body) {
        if (!session.connection().isConnected()) {
            return; // closed (or closing) meanwhile: nobody waits for the answer
        }
        MsgType type = MsgType.of(msgid);
        if (session.isLegacy() && NATIVE_ONLY.contains(type)) {
            type = null;
        }
        String cmid = Json.cmidOf(body);
        try {
            Handler handler = type == null ? null : handlers.get(type);
            if (handler == null) {
                throw new ServiceError(Errno.UNKNOWN_MSGID, "unknown msgid " + msgid);
            }
            if (!session.isLoggedIn() && !BEFORE_LOGIN.contains(type)) {
                throw new ServiceError(Errno.NOT_LOGGED_IN);
            }
            handler.handle(session, Request.parse(type, body));
        } catch (ProtocolException e) {
            replyError(session, type, msgid, e.errno(), e.getMessage(), cmid);
        } catch (ServiceError e) {
            replyError(session, type, msgid, e.errno(), e.getMessage(), cmid);
        } catch (StoreException e) {
            log.warn("database unavailable for {} msgid={}: {}", session, msgid, e.getMessage());
            replyError(session, type, msgid, Errno.UNAVAILABLE, Errno.UNAVAILABLE.sentence(), cmid);
        } catch (RuntimeException e) {
            log.error("handler for msgid={} failed for {}", msgid, session, e);
            replyError(session, type, msgid, Errno.UNAVAILABLE, Errno.UNAVAILABLE.sentence(), cmid);
        }
    }

    private static void replyError(Session session, MsgType type, int msgid, Errno errno, String errmsg, String cmid) {
        Message reply = type == null
                ? new ErrorReply(errno.code(), errmsg, msgid, cmid)
                : ErrorReply.forRequest(type, errno, errmsg, cmid);
        if (errno == Errno.FORBIDDEN) {
            session.send(reply); // a refusal even classic clients are told, see Session#reply
        } else {
            session.reply(type, reply);
        }
    }
}
