package muchat.store;

/**
 * One conversation of a user: with {@code peer} (one to one) or in group {@code groupId}
 * (the other one is null), named after the peer or the group. {@code last} is its newest
 * message (null for a group nobody has written in yet), {@code unread} the messages of
 * others after the read position {@code readMid}.
 */
public record Conversation(Long peer, Long groupId, String name, HistoryEntry last, long unread, long readMid) {

    /** The mid of the newest message, 0 if there is none: conversations are listed newest first. */
    public long lastMid() {
        return last == null ? 0 : last.mid();
    }
}
