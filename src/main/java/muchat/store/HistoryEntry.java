package muchat.store;

/** One message in a HISTORY answer. Exactly one of {@code toUser} and {@code toGroup} is set. */
public record HistoryEntry(long mid, long sender, String senderName, Long toUser, Long toGroup,
                           String text, long ts) {
}
