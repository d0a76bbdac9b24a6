package muchat.service;

import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import muchat.protocol.AddFriend;
import muchat.protocol.AddFriendAck;
import muchat.protocol.Errno;
import muchat.protocol.FriendReply;
import muchat.protocol.FriendReplyAck;
import muchat.protocol.FriendReplyNotice;
import muchat.protocol.FriendRequestNotice;
import muchat.protocol.InboxPush;
import muchat.protocol.MsgType;
import muchat.store.Database;
import muchat.store.FriendStore;
import muchat.store.MessageStore;
import muchat.store.NewMessage;
import muchat.store.StoreException;
import muchat.store.Stored;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Making friends: ADD_FRIEND asks, FRIEND_REPLY (or ADD_FRIEND back) answers
 * (docs/protocol.md section 3); with {@code --open-friends}, ADD_FRIEND makes the
 * friendship at once, as the classic server did.
 *
 * <p>A request and its answer are inbox events (see {@link FriendStore}): stored through
 * the group commit like a chat message, and pushed once stored. The handler waits for
 * that commit on its strand, so the user's next request sees it; making friends is rare
 * enough for the wait not to matter.
 *
 * <p>Threads: handlers run on the requesting session's strand; the class keeps no state.
 */
final class FriendRequests {
    private static final Logger log = LoggerFactory.getLogger(FriendRequests.class);

    private final FriendStore friends;
    private final MessageStore messages;
    private final Delivery delivery;
    private final UserDirectory directory;
    private final boolean openFriends;

    FriendRequests(Database database, Delivery delivery, UserDirectory directory, boolean openFriends) {
        this.friends = database.friends();
        this.messages = database.messages();
        this.delivery = delivery;
        this.directory = directory;
        this.openFriends = openFriends;
    }

    /** Asks, or accepts the other user's request; a friend already, or a request repeated, changes nothing. */
    void addFriend(Session session, AddFriend request) {
        long friendId = request.friendid();
        if (friendId == session.uid()) {
            throw new ServiceError(Errno.INVALID_FIELD, "you cannot add yourself as a friend");
        }
        if (directory.name(friendId).isEmpty()) {
            throw new ServiceError(Errno.NO_SUCH_TARGET, "no user with id " + friendId);
        }
        if (openFriends) {
            friends.add(session.uid(), friendId);
        } else if (!friends.areFriends(session.uid(), friendId)) {
            OptionalLong waiting = friends.waitingRequester(session.uid(), friendId);
            if (waiting.isPresent() && waiting.getAsLong() == friendId) {
                answer(session, friendId, true); // asking back accepts: how two classic clients become friends
            } else {
                if (waiting.isEmpty()) {
                    ask(session, friendId);
                }
                session.reply(MsgType.ADD_FRIEND, AddFriendAck.requested());
                return;
            }
        }
        session.reply(MsgType.ADD_FRIEND, AddFriendAck.ok());
    }

    /** The answer to a friend request waiting for the session's user. */
    void replyToFriend(Session session, FriendReply request) {
        long requester = request.friendid();
        if (friends.waitingRequester(session.uid(), requester).orElse(0) != requester) {
            throw new ServiceError(Errno.NO_SUCH_TARGET, "no friend request from user " + requester);
        }
        answer(session, requester, request.accept());
        session.send(FriendReplyAck.ok());
    }

    private void ask(Session session, long target) {
        long ts = System.currentTimeMillis();
        storeEvent(NewMessage.event(FriendStore.REQUEST, session.uid(), target, "", ts),
                FriendRequestNotice.of(session.uid(), session.name(), ts));
        log.info("friend request user={} to={} {}", session.uid(), target, session.connection());
    }

    /**
     * Accepted: the friendship first, so that if the answer cannot be stored the request
     * still waits, and answering again completes it.
     */
    private void answer(Session session, long requester, boolean accept) {
        if (accept) {
            friends.add(session.uid(), requester);
        }
        long ts = System.currentTimeMillis();
        storeEvent(NewMessage.event(FriendStore.REPLY, session.uid(), requester,
                        accept ? FriendStore.ACCEPT : FriendStore.REJECT, ts),
                FriendReplyNotice.of(session.uid(), session.name(), accept, ts));
        log.info("friend request {} user={} from={} {}", accept ? "accepted" : "rejected", session.uid(), requester,
                session.connection());
    }

    /** Stores an event in its recipient's inbox (waiting for the commit), then pushes it. */
    private void storeEvent(NewMessage event, InboxPush push) {
        Stored stored;
        try {
            stored = messages.submit(event).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof StoreException s ? s : e;
        }
        delivery.route(push, stored.deliveries());
    }
}
