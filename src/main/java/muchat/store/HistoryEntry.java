package muchat.store;

/**
 * One message in a HISTORY answer. Exactly one of {@code toUser} and {@code toGroup} is
 * set; a {@code recalled} message has an empty {@code text}.
 */
public record HistoryEntry(long mid, long sender, String senderName, Long toUser, Long toGroup,
                           String text, long ts, boolean recalled) {

    /** A message that was not recalled. */
    public HistoryEntry(long mid, long sender, String senderName, Long toUser, Long toGroup, String text, long ts) {
        this(mid, sender, senderName, toUser, toGroup, text, ts, false);
    }
}
