package muchat.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import muchat.protocol.Errno;
import muchat.protocol.Recall;
import muchat.protocol.RecallEvent;
import muchat.store.GroupStore;
import muchat.store.HistoryEntry;
import muchat.store.MessageStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RECALL: the sender takes a message back within the recall window. The message keeps
 * its place with an empty text (HISTORY shows it as recalled), and a RECALL event goes
 * into the inbox of every recipient and of the sender (whose client takes it as the
 * confirmation), so that one offline sees it at login. A classic client that has not
 * been sent the message yet never gets it (see {@link Session#push}).
 *
 * <p>Threads: handlers run on the requesting session's strand.
 */
final class Recalls {
    private static final Logger log = LoggerFactory.getLogger(Recalls.class);

    private final MessageStore messages;
    private final GroupStore groups;
    private final Delivery delivery;
    private final Duration window;

    Recalls(MessageStore messages, GroupStore groups, Delivery delivery, Duration window) {
        this.messages = messages;
        this.groups = groups;
        this.delivery = delivery;
        this.window = window;
    }

    void recall(Session session, Recall request) {
        HistoryEntry message = messages.message(request.mid())
                .orElseThrow(() -> new ServiceError(Errno.NO_SUCH_TARGET, "no message " + request.mid()));
        if (message.sender() != session.uid()) {
            throw new ServiceError(Errno.FORBIDDEN, "only its sender may recall a message");
        }
        if (System.currentTimeMillis() - message.ts() >= window.toMillis()) {
            throw new ServiceError(Errno.FORBIDDEN,
                    "a message may be recalled within " + window.toSeconds() + " s of sending it");
        }
        List<Long> told = new ArrayList<>(message.toGroup() != null
                ? groups.memberIds(message.toGroup()) : List.of(message.toUser()));
        told.add(message.sender());
        Map<Long, Long> seqs = messages.recall(message.mid(), told);
        if (seqs.isEmpty()) {
            return; // recalled already: everyone was told then
        }
        log.info("recalled mid={} user={} {}", message.mid(), session.uid(), session.connection());
        delivery.route(new RecallEvent(message.mid(), message.sender(), message.toUser(), message.toGroup(), null),
                seqs);
    }
}
