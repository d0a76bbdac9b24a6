package muchat.service;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import muchat.protocol.Conversations;
import muchat.protocol.ConversationsAck;
import muchat.protocol.Errno;
import muchat.protocol.Read;
import muchat.protocol.ReadReceipt;
import muchat.store.ConversationStore;
import muchat.store.GroupStore;
import muchat.store.HistoryEntry;
import muchat.store.InboxEntry;
import muchat.store.MessageStore;

/**
 * Conversations and read positions: CONVERSATIONS (the list with unread counts) and
 * READ, which moves the reader's position forward and, in a one-to-one conversation,
 * sends the peer a receipt through their inbox (docs/protocol.md section 3). In a group
 * READ moves only the reader's own position: a receipt to every member for every reader
 * would multiply a group's traffic by its size.
 *
 * <p>Threads: handlers run on the requesting session's strand.
 */
final class Reading {
    private final ConversationStore conversations;
    private final MessageStore messages;
    private final GroupStore groups;
    private final Delivery delivery;

    Reading(ConversationStore conversations, MessageStore messages, GroupStore groups, Delivery delivery) {
        this.conversations = conversations;
        this.messages = messages;
        this.groups = groups;
        this.delivery = delivery;
    }

    void list(Session session, Conversations request) {
        List<ConversationsAck.Item> items = conversations.list(session.uid()).stream()
                .map(c -> new ConversationsAck.Item(c.peer(), c.groupId(), c.name(),
                        c.last() == null ? null : Delivery.shown(c.last()), c.unread(), c.readMid()))
                .toList();
        session.send(ConversationsAck.ok(items));
    }

    /** The user's total unread messages, for LOGIN_ACK. */
    long unreadTotal(long uid) {
        return conversations.unreadTotal(uid);
    }

    void read(Session session, Read request) {
        long uid = session.uid();
        HistoryEntry message = messages.message(request.mid())
                .filter(m -> visible(m, uid, request))
                .orElseThrow(() -> new ServiceError(Errno.NO_SUCH_TARGET,
                        "no message " + request.mid() + " in that conversation"));
        long peer = request.peer() == null ? 0 : request.peer();
        long group = request.groupid() == null ? 0 : request.groupid();
        if (!conversations.markRead(uid, peer, group, message.mid())) {
            return;
        }
        if (peer != 0) {
            Map<Long, Long> seqs = messages.addEntries(InboxEntry.Kind.RECEIPT, message.mid(), List.of(peer));
            delivery.route(new ReadReceipt(uid, uid, null, message.mid(), null), seqs);
        }
        // The reader's other devices hear of it at once, unnumbered and not stored: a device
        // logged in later reads the position in CONVERSATIONS (docs/protocol.md section 3).
        delivery.signal(uid, new ReadReceipt(uid, peer == 0 ? null : peer, group == 0 ? null : group,
                message.mid(), null), session);
    }

    /** True if {@code m} belongs to the conversation READ names, and {@code uid} may see it. */
    private boolean visible(HistoryEntry m, long uid, Read request) {
        if (request.peer() != null) {
            long peer = request.peer();
            return m.toUser() != null && (m.sender() == uid && m.toUser() == peer
                    || m.sender() == peer && m.toUser() == uid);
        }
        if (m.toGroup() == null || m.toGroup().longValue() != request.groupid()) {
            return false;
        }
        OptionalLong after = groups.historyAfter(request.groupid(), uid);
        return after.isPresent() && m.mid() > after.getAsLong();
    }
}
