package muchat.service;

import muchat.protocol.Typing;
import muchat.protocol.TypingNotice;
import muchat.store.FriendStore;

/**
 * TYPING (docs/protocol.md section 3): forwarded at once to a friend who is online on a
 * native connection, on this instance or another, and never stored. At most one a second
 * from one sender to one peer goes on; the others, and those to anyone who is not a
 * friend or not online, are dropped without a word: an indicator that lags or goes
 * missing is harmless, and an answer would cost more than the signal.
 *
 * <p>Threads: the sender's strand.
 */
final class TypingForwarder {
    private final FriendStore friends;
    private final Delivery delivery;

    TypingForwarder(FriendStore friends, Delivery delivery) {
        this.friends = friends;
        this.delivery = delivery;
    }

    void forward(Session session, Typing request) {
        long peer = request.toid();
        if (session.mayForwardTyping(peer) && friends.areFriends(session.uid(), peer)) {
            delivery.signal(peer, new TypingNotice(session.uid()));
        }
    }
}
