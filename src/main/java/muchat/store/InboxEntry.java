package muchat.store;

/**
 * One entry of user {@code uid}'s inbox joined with its message: what a push, a SYNC
 * and the replay after login send. Exactly one of {@code toUser} and {@code toGroup} is
 * set. {@code kind} says what the entry tells: the chat message itself, a read receipt up
 * to it, its recall, or the friend event stored as message {@code mid} (see chat.sql).
 */
public record InboxEntry(long uid, long seq, Kind kind, long mid, long sender, String senderName, Long toUser,
                         Long toGroup, String text, long ts, boolean recalled) {

    /**
     * What an inbox entry is. {@link #code} is the {@code inbox.kind} column; an entry of
     * code 0 is its message, whose {@code messages.kind} tells a chat from a friend event.
     */
    public enum Kind {
        /** The chat message {@code mid}. */
        CHAT(0),
        /** The other user of the one-to-one message {@code mid} has read up to it. */
        RECEIPT(1),
        /** The sender recalled message {@code mid}. */
        RECALL(2),
        /** Message {@code mid} is a friend request (messages.kind {@link FriendStore#REQUEST}). */
        FRIEND_REQUEST(0),
        /** Message {@code mid} answers a friend request (messages.kind {@link FriendStore#REPLY}). */
        FRIEND_REPLY(0);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** The kind of an entry with {@code inbox.kind} {@code code} whose message has {@code messageKind}. */
        static Kind of(int code, int messageKind) {
            return code == RECEIPT.code ? RECEIPT : code == RECALL.code ? RECALL : ofMessage(messageKind);
        }

        static Kind ofMessage(int messageKind) {
            return switch (messageKind) {
                case FriendStore.REQUEST -> FRIEND_REQUEST;
                case FriendStore.REPLY -> FRIEND_REPLY;
                default -> CHAT;
            };
        }
    }

    /** A chat message entry that was not recalled. */
    public InboxEntry(long uid, long seq, long mid, long sender, String senderName, Long toUser, Long toGroup,
                      String text, long ts) {
        this(uid, seq, Kind.CHAT, mid, sender, senderName, toUser, toGroup, text, ts, false);
    }

    /** The entry of a message of {@code messageKind} ({@link NewMessage#CHAT} or an event's msgid). */
    public InboxEntry(long uid, long seq, long mid, long sender, String senderName, Long toUser, Long toGroup,
                      String text, long ts, int messageKind) {
        this(uid, seq, Kind.ofMessage(messageKind), mid, sender, senderName, toUser, toGroup, text, ts, false);
    }

    /** The entry's message as HISTORY shows it. */
    public HistoryEntry message() {
        return new HistoryEntry(mid, sender, senderName, toUser, toGroup, text, ts, recalled);
    }
}
