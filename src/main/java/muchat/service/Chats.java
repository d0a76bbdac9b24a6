package muchat.service;

import java.util.List;
import java.util.OptionalLong;
import muchat.protocol.Errno;
import muchat.protocol.GroupChat;
import muchat.protocol.History;
import muchat.protocol.HistoryAck;
import muchat.protocol.MsgType;
import muchat.protocol.OneChat;
import muchat.protocol.RecvAck;
import muchat.protocol.Sync;
import muchat.protocol.Fields;
import muchat.store.GroupStore;
import muchat.store.HistoryEntry;
import muchat.store.MessageStore;
import muchat.store.NewMessage;

/**
 * Chat messages: ONE_CHAT and GROUP_CHAT (store durably, then SEND_ACK and push),
 * RECV_ACK, SYNC and HISTORY.
 *
 * <p>A chat request does not wait for the database on the strand: the message joins
 * the store's next group commit, and the rest (SEND_ACK, pushes) continues on the
 * store's thread once it is committed ({@link AfterCommit}), in the order the sender's
 * messages were submitted, so they keep their order end to end.
 *
 * <p>A message is stored in the sender's inbox as well as in its recipients' when the
 * sender has other devices ({@link SessionRegistry#severalDevices}), so that they show
 * the whole conversation (docs/protocol.md section 2). The sending connection is not
 * pushed that copy: its SEND_ACK carries the copy's seq, and goes out before the
 * session's cursor passes it ({@link Session#push}).
 *
 * <p>Threads: handlers run on the requesting session's strand; what follows a commit
 * runs in {@link AfterCommit}.
 */
final class Chats {
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
     * Submits to the group commit; SEND_ACK and the pushes follow once the message is
     * durable ({@link AfterCommit}). The request stays pending until then.
     */
    private void store(Session session, MsgType type, NewMessage request) {
        NewMessage message = sessions.severalDevices(session) ? request.withSenderCopy() : request;
        Runnable done = session.keepPending();
        messages.submit(message).whenComplete(new AfterCommit(session, type, message, done, delivery));
    }
}
