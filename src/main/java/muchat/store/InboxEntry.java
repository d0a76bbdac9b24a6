package muchat.store;

/**
 * One entry of user {@code uid}'s inbox joined with its message: what a push, a SYNC
 * and the replay after login send. Exactly one of {@code toUser} and {@code toGroup} is
 * set; {@code kind} is {@link NewMessage#CHAT} or the msgid of an event (see chat.sql).
 */
public record InboxEntry(long uid, long seq, long mid, long sender, String senderName, Long toUser,
                         Long toGroup, String text, long ts, int kind) {

    /** A chat message's entry. */
    public InboxEntry(long uid, long seq, long mid, long sender, String senderName, Long toUser, Long toGroup,
                      String text, long ts) {
        this(uid, seq, mid, sender, senderName, toUser, toGroup, text, ts, NewMessage.CHAT);
    }
}
