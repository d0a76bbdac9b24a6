package muchat.store;

/**
 * One entry of user {@code uid}'s inbox joined with its message: what a push, a SYNC
 * and the replay after login send. Exactly one of {@code toUser} and {@code toGroup} is
 * set. {@code kind} says what the entry tells about the message: the message itself, a
 * read receipt up to it, or its recall.
 */
public record InboxEntry(long uid, long seq, Kind kind, long mid, long sender, String senderName, Long toUser,
                         Long toGroup, String text, long ts, boolean recalled) {

    /** What an inbox entry is; {@link #code} is the {@code inbox.kind} column. */
    public enum Kind {
        /** The chat message {@code mid}. */
        CHAT,
        /** The other user of the one-to-one message {@code mid} has read up to it. */
        RECEIPT,
        /** The sender recalled message {@code mid}. */
        RECALL;

        public int code() {
            return ordinal();
        }

        static Kind of(int code) {
            return values()[code];
        }
    }

    /** A chat message entry that was not recalled. */
    public InboxEntry(long uid, long seq, long mid, long sender, String senderName, Long toUser, Long toGroup,
                      String text, long ts) {
        this(uid, seq, Kind.CHAT, mid, sender, senderName, toUser, toGroup, text, ts, false);
    }

    /** The entry's message as HISTORY shows it. */
    public HistoryEntry message() {
        return new HistoryEntry(mid, sender, senderName, toUser, toGroup, text, ts, recalled);
    }
}
