package muchat.service;

import java.util.function.BiConsumer;
import muchat.protocol.ChatMessage;
import muchat.protocol.Errno;
import muchat.protocol.ErrorReply;
import muchat.protocol.MsgType;
import muchat.protocol.SendAck;
import muchat.store.NewMessage;
import muchat.store.Stored;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows a chat message's group commit, where the store hands the message back to
 * the service: SEND_ACK to the sender and the fan-out to the recipients, or ERROR 50 if
 * the message could not be stored.
 *
 * <p>Thread: the group-commit lane that committed the message ({@code muchat-db-writer-N};
 * on H2 the checkpointer), which completes a lane's messages in the order they were
 * submitted, so one sender's SEND_ACKs keep the order of its messages; or the submitting
 * strand, if the store refused the message at once (it is closed). Every later message of
 * the lane waits while this runs, so it stays short: it encodes frames and posts them to
 * the sessions' IO loops ({@link Session#send}, {@link Delivery#route}), and a large
 * group's pushes go to the strands in slices. Going back to the sender's strand instead
 * would cost every message one more thread wake-up.
 */
final class AfterCommit implements BiConsumer<Stored, Throwable> {
    private static final Logger log = LoggerFactory.getLogger(AfterCommit.class);

    private final Session sender;
    private final String senderName;
    private final MsgType type;
    private final NewMessage message;
    /** Ends the request's pending count: the message is stored, or will never be. */
    private final Runnable done;
    private final Delivery delivery;

    AfterCommit(Session sender, MsgType type, NewMessage message, Runnable done, Delivery delivery) {
        this.sender = sender;
        this.senderName = sender.name();
        this.type = type;
        this.message = message;
        this.done = done;
        this.delivery = delivery;
    }

    @Override
    public void accept(Stored stored, Throwable failure) {
        done.run();
        if (failure != null) {
            // The store's error never quotes the message's text.
            log.warn("storing a message of user={} {} failed: {}", message.sender(), sender.connection(),
                    failure.getMessage());
            sender.send(ErrorReply.forRequest(type, Errno.UNAVAILABLE, Errno.UNAVAILABLE.sentence(), message.cmid()));
            return;
        }
        if (!sender.isLegacy()) {
            sender.send(SendAck.of(message.cmid(), stored.mid(), stored.ts(), stored.deliveries().get(message.sender())));
        }
        if (!stored.duplicate()) {
            ChatMessage base = Delivery.chatMessage(message.sender(), senderName, message.toUser(),
                    message.toGroup(), message.text(), stored.ts(), stored.mid());
            delivery.route(base, stored.deliveries(), sender);
        }
    }
}
