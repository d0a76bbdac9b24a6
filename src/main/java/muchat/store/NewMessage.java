package muchat.store;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * A chat message to store: exactly one of {@code toUser} and {@code toGroup} is set;
 * {@code cmid} (the sender's own id for it) may be null.
 *
 * <p>{@code recipients} are the users whose inboxes get it, computed by the caller: the
 * receiver of a one-to-one message, or the members of the group; the chat service adds
 * the sender ({@link #alsoTo}), whose copy the sender's other devices are shown.
 * Repeated ids count once: they are dropped here.
 */
public record NewMessage(long sender, Long toUser, Long toGroup, String text, long ts, String cmid,
                         List<Long> recipients) {
    public NewMessage {
        if ((toUser == null) == (toGroup == null)) {
            throw new IllegalArgumentException("exactly one of toUser and toGroup must be set");
        }
        Objects.requireNonNull(text, "text");
        recipients = List.copyOf(new LinkedHashSet<>(recipients));
    }

    /** A one-to-one message; its only recipient is {@code to}. */
    public static NewMessage direct(long sender, long to, String text, long ts, String cmid) {
        return new NewMessage(sender, to, null, text, ts, cmid, List.of(to));
    }

    /** The same message, with {@code uid} among its recipients too. */
    public NewMessage alsoTo(long uid) {
        List<Long> more = new ArrayList<>(recipients);
        more.add(uid);
        return new NewMessage(sender, toUser, toGroup, text, ts, cmid, more);
    }

    /** A group message for {@code recipients} (members of the group). */
    public static NewMessage group(long sender, long groupId, String text, long ts, String cmid,
                                   List<Long> recipients) {
        return new NewMessage(sender, null, groupId, text, ts, cmid, recipients);
    }
}
