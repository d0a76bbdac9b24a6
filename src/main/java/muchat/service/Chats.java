package muchat.service;

import java.util.List;
import java.util.OptionalLong;
import muchat.protocol.ChatMessage;
import muchat.protocol.ErrorReply;
import muchat.protocol.Errno;
import muchat.protocol.GroupChat;
import muchat.protocol.History;
import muchat.protocol.HistoryAck;
import muchat.protocol.MsgType;
import muchat.protocol.OneChat;
import muchat.protocol.RecvAck;
import muchat.protocol.SendAck;
import muchat.protocol.Sync;
import muchat.protocol.Fields;
import muchat.store.GroupStore;
import muchat.store.HistoryEntry;
import muchat.store.MessageStore;
import muchat.store.NewMessage;
import muchat.store.Stored;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chat messages: ONE_CHAT and GROUP_CHAT (store durably, then SEND_ACK and push),
 * RECV_ACK, SYNC and HISTORY.
 *
 * <p>A chat request does not wait for the database on the strand: the message joins
 * the store's next group commit, and the rest (SEND_ACK, pushes) continues on the
 * store's thread once it is committed, in the order the sender's messages were
 * submitted, so they keep their order end to end.
 *
 * <p>A message is stored in the sender's inbox as well as in its recipients' when the
 * sender has other devices ({@link SessionRegistry#severalDevices}), so that they show
 * the whole conversation (docs/protocol.md section 2). The sending connection is not
 * pushed that copy: its SEND_ACK carries the copy's seq, and goes out before the
 * session's cursor passes it ({@link Session#deliver}).
 *
 * <p>Threads: handlers run on the requesting session's strand; what follows a commit
 * runs on the thread that completes the store's future.
 */
final class Chats {
    private static final Logger log = LoggerFactory.getLogger(Chats.class);

    private final MessageStore messages;
    private final GroupStore groups;
    private final UserDirectory directory;
    private final Delivery delivery;
    private final SessionRegistry sessions;

    Chats(MessageStore messages, GroupStore groups, UserDirectory directory, Delivery delivery,
          SessionRegistry sessions) {
        this.messages = messages;
        this.groups = groups;
        this.directory = directory;
        this.delivery = delivery;
        this.sessions = sessions;
    }

    void oneChat(Session session, OneChat request) {
        if (directory.name(request.toid()).isEmpty()) {
            throw new ServiceError(Errno.NO_SUCH_TARGET, "no user with id " + request.toid());
        }
        long ts = System.currentTimeMillis();
        store(session, MsgType.ONE_CHAT, NewMessage.direct(session.uid(), request.toid(), request.msg(), ts,
                request.cmid()));
    }

    void groupChat(Session session, GroupChat request) {
        List<Long> members = groups.memberIds(request.groupid());
        if (members.isEmpty()) {
            throw new ServiceError(Errno.NO_SUCH_TARGET, "no group with id " + request.groupid());
        }
        if (!members.contains(session.uid())) {
            throw new ServiceError(Errno.FORBIDDEN, "you are not a member of group " + request.groupid());
        }
        List<Long> recipients = members.stream().filter(m -> m != session.uid()).toList();
        long ts = System.currentTimeMillis();
        store(session, MsgType.GROUP_CHAT, NewMessage.group(session.uid(), request.groupid(), request.msg(), ts,
                request.cmid(), recipients));
    }

    void recvAck(Session session, RecvAck request) {
        // Never further than what this session was given: acking the future would lose it.
        long seq = Math.min(request.seq(), session.pushedUpTo());
        messages.ack(session.uid(), session.device(), seq);
    }

    void sync(Session session, Sync request) {
        delivery.replay(session, request.after());
    }

    void history(Session session, History request) {
        int limit = request.limit() == null ? Fields.LIMIT_DEFAULT : request.limit();
        List<HistoryEntry> entries;
        if (request.groupid() != null) {
            // A member of a closed group sees what was sent from their joining on.
            OptionalLong after = groups.historyAfter(request.groupid(), session.uid());
            if (after.isEmpty()) {
                throw new ServiceError(groups.exists(request.groupid()) ? Errno.FORBIDDEN : Errno.NO_SUCH_TARGET,
                        "no history of group " + request.groupid() + " for you");
            }
            entries = messages.groupHistory(request.groupid(), after.getAsLong(), request.before(), limit);
        } else {
            if (directory.name(request.peer()).isEmpty()) {
                throw new ServiceError(Errno.NO_SUCH_TARGET, "no user with id " + request.peer());
            }
            entries = messages.history(session.uid(), request.peer(), request.before(), limit);
        }
        session.send(HistoryAck.ok(entries.stream().map(Delivery::shown).toList()));
    }

    /**
     * Submits to the group commit. SEND_ACK and the pushes follow once the message is
     * durable, on the thread that completes the store's future (a group-commit lane, or
     * on H2 its checkpointer), which does so in submission order. Going back to this strand
     * instead cost every message one more thread wake-up: a third of the
     * send-to-SEND_ACK time in the benchmark. The work there stays short: encoding and
     * handing bytes to I/O loops for a few recipients; a large group's pushes go to the
     * strands in slices ({@link Delivery#route}), so other senders' SEND_ACKs, which
     * this thread sends, do not wait for them.
     */
    private void store(Session session, MsgType type, NewMessage request) {
        NewMessage message = sessions.severalDevices(session) ? request.withSenderCopy() : request;
        String cmid = message.cmid();
        String senderName = session.name();
        Runnable done = session.keepPending();
        messages.submit(message).whenComplete((stored, failure) -> {
            done.run();
            if (failure != null) {
                // The store's error never quotes the message's text.
                log.warn("storing a message of user={} {} failed: {}", session.uid(), session.connection(),
                        failure.getMessage());
                session.send(ErrorReply.forRequest(type, Errno.UNAVAILABLE, Errno.UNAVAILABLE.sentence(), cmid));
                return;
            }
            if (!session.isLegacy()) {
                session.send(SendAck.of(cmid, stored.mid(), stored.ts(), stored.deliveries().get(session.uid())));
            }
            if (!stored.duplicate()) {
                fanOut(message, senderName, stored, session);
            }
        });
    }

    private void fanOut(NewMessage message, String senderName, Stored stored, Session origin) {
        ChatMessage base = Delivery.chatMessage(message.sender(), senderName, message.toUser(), message.toGroup(),
                message.text(), stored.ts(), stored.mid());
        delivery.route(base, stored.deliveries(), origin);
    }
}
