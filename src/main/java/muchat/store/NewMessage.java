package muchat.store;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * A message to store, a chat message or an inbox event: exactly one of {@code toUser} and {@code toGroup} is set;
 * {@code cmid} (the sender's own id for it) may be null. {@code kind} is {@link #CHAT},
 * or the msgid of an inbox event stored like a message (see chat.sql, table messages).
 *
 * <p>With {@code senderCopy}, the sender's inbox gets it too: what the sender's other
 * devices are shown of what it sent. The caller asks for it only for a sender with other
 * devices: a user who only ever used one has nobody to show it to.
 *
 * <p>{@code recipients} are the users whose inboxes get it, computed by the caller: the
 * receiver of a one-to-one message, or every member of the group except the sender.
 * Repeated ids count once: they are dropped here.
 */
public record NewMessage(long sender, Long toUser, Long toGroup, String text, long ts, String cmid,
                         List<Long> recipients, int kind, boolean senderCopy) {
    /** The kind of a chat message. */
    public static final int CHAT = 0;

    public NewMessage {
        if ((toUser == null) == (toGroup == null)) {
            throw new IllegalArgumentException("exactly one of toUser and toGroup must be set");
        }
        Objects.requireNonNull(text, "text");
        recipients = List.copyOf(new LinkedHashSet<>(recipients));
    }

    /** A one-to-one message; its only recipient is {@code to}. */
    public static NewMessage direct(long sender, long to, String text, long ts, String cmid) {
        return new NewMessage(sender, to, null, text, ts, cmid, List.of(to), CHAT, false);
    }

    /** The same message, with a copy in the sender's inbox. */
    public NewMessage withSenderCopy() {
        return new NewMessage(sender, toUser, toGroup, text, ts, cmid, recipients, kind, true);
    }

    /** An event of {@code kind} (not {@link #CHAT}) from {@code sender} for {@code to}'s inbox. */
    public static NewMessage event(int kind, long sender, long to, String text, long ts) {
        return new NewMessage(sender, to, null, text, ts, null, List.of(to), kind, false);
    }

    /** A group message for {@code recipients} (the members other than the sender). */
    public static NewMessage group(long sender, long groupId, String text, long ts, String cmid,
                                   List<Long> recipients) {
        return new NewMessage(sender, null, groupId, text, ts, cmid, recipients, CHAT, false);
    }
}
