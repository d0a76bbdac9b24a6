package muchat.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Users' conversations and read positions (the {@code conversations} table of chat.sql).
 *
 * <p>A read position is the mid of the last message the user has read in a
 * conversation, and it only moves forward. The user's own messages never count as
 * unread: in a group the group commit raises the sender's position to each message
 * (see {@link ConversationRows}); in a one-to-one conversation the position counts as at
 * least the user's last message there, which idx_messages_direct finds in one step, so a
 * one-to-one message costs no write of a position at all.
 *
 * <p>How {@link #list} scales: one range of the primary key for the user's one-to-one
 * conversations and one of group_members' uid index for the groups; per conversation,
 * the last message is two (one-to-one) or one (group) descents of a messages index.
 * Only conversations whose last message is after the position are counted, each on a
 * range of an index that holds exactly the unread messages (no row is read), in one
 * round trip per {@value #COUNTS_PER_TRIP}. So the cost is about (conversations x log messages + unread),
 * whatever the histories' length.
 *
 * <p>Only chat messages ({@code messages.kind} 0) count: a friend request or reply
 * between two users is in their inboxes but is never a conversation's last message nor
 * unread.
 *
 * <p>Threads: any thread.
 */
public final class ConversationStore {
    /**
     * The newest mid of messages matching {@code where}, or 0: one descent of an index.
     * (MariaDB reads a correlated MAX() over the whole index range, a group's every message.)
     */
    private static String newest(String where) {
        return "COALESCE((SELECT m.mid FROM messages m WHERE " + where + " ORDER BY m.mid DESC LIMIT 1), 0)";
    }

    private static final String DIRECT = "SELECT c.peer, COALESCE(u.name, '') AS name, c.read_mid,"
            + " " + newest("m.sender = c.uid AND m.to_user = c.peer AND m.kind = 0") + " AS mine,"
            + " " + newest("m.sender = c.peer AND m.to_user = c.uid AND m.kind = 0") + " AS theirs"
            + " FROM conversations c LEFT JOIN users u ON u.id = c.peer WHERE c.uid = ? AND c.group_id = 0";
    private static final String GROUPS = "SELECT gm.group_id, g.name, COALESCE(c.read_mid, 0) AS read_mid,"
            + " gm.history_after, " + newest("m.to_group = gm.group_id AND m.mid > gm.history_after") + " AS last_mid"
            + " FROM group_members gm JOIN chat_groups g ON g.id = gm.group_id"
            + " LEFT JOIN conversations c ON c.uid = gm.uid AND c.peer = 0 AND c.group_id = gm.group_id"
            + " WHERE gm.uid = ?";
    /**
     * Counted with the read position as a bound value, so each count is a range of an
     * index (a correlated bound makes MariaDB read the conversation's every message).
     */
    private static final String COUNT_DIRECT =
            " AS k, COUNT(*) FROM messages m WHERE m.sender = ? AND m.to_user = ? AND m.mid > ? AND m.kind = 0";
    private static final String COUNT_GROUP = " AS k, COUNT(*) FROM messages m WHERE m.to_group = ? AND m.mid > ?";
    /** Counts sent in one round trip: each a UNION ALL branch, numbered in {@code k}. */
    private static final int COUNTS_PER_TRIP = 100;
    private static final String MESSAGES = "SELECT " + MessageStore.ENTRY_COLUMNS
            + " FROM messages m LEFT JOIN users u ON u.id = m.sender WHERE m.mid IN ";
    private static final String MOVE = "UPDATE conversations SET read_mid = ?"
            + " WHERE uid = ? AND peer = ? AND group_id = ? AND read_mid < ?";

    private final Jdbc jdbc;
    private final String insertRow;

    ConversationStore(Jdbc jdbc) {
        this.jdbc = jdbc;
        this.insertRow = jdbc.dialect().insertIgnore()
                + " INTO conversations (uid, peer, group_id, read_mid) VALUES (?, ?, ?, 0)";
    }

    /**
     * Moves {@code uid}'s read position in the conversation with {@code peer} or in group
     * {@code groupId} (the other one 0) forward to {@code mid}. Returns false if it was
     * there or further already.
     */
    public boolean markRead(long uid, long peer, long groupId, long mid) throws StoreException {
        return jdbc.inTransaction(c -> {
            Jdbc.update(c, insertRow, uid, peer, groupId);
            return Jdbc.update(c, MOVE, mid, uid, peer, groupId, mid) > 0;
        });
    }

    /** Every conversation of {@code uid}, the one with the newest message first. */
    public List<Conversation> list(long uid) throws StoreException {
        List<Row> rows = rows(uid);
        Map<Long, HistoryEntry> last = messages(rows.stream().map(Row::lastMid).filter(mid -> mid > 0).toList());
        return rows.stream()
                .map(r -> new Conversation(r.peer(), r.groupId(), r.name(), last.get(r.lastMid()), r.unread(),
                        r.readMid()))
                .sorted(Comparator.comparingLong(Conversation::lastMid).reversed())
                .toList();
    }

    /** The messages of others {@code uid} has not read, over all conversations. */
    public long unreadTotal(long uid) throws StoreException {
        return rows(uid).stream().mapToLong(Row::unread).sum();
    }

    /** Each conversation's position, the mid of its last message, and its unread count. */
    private List<Row> rows(long uid) {
        List<Row> rows = new ArrayList<>(jdbc.list(DIRECT, rs -> {
            long mine = rs.getLong("mine");
            return new Row(rs.getLong("peer"), null, rs.getString("name"), Math.max(mine, rs.getLong("theirs")), 0,
                    Math.max(rs.getLong("read_mid"), mine));
        }, uid));
        rows.addAll(jdbc.list(GROUPS, rs -> new Row(null, rs.getLong("group_id"), rs.getString("name"),
                rs.getLong("last_mid"), 0, Math.max(rs.getLong("read_mid"), rs.getLong("history_after"))), uid));
        return count(uid, rows);
    }

    /**
     * The rows with their unread counts. Only a conversation whose last message is after
     * the position has any, so only those are counted: the user's own messages are at or
     * before it (see the class comment).
     */
    private List<Row> count(long uid, List<Row> rows) {
        List<Integer> behind = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).lastMid() > rows.get(i).readMid()) {
                behind.add(i);
            }
        }
        List<Row> out = new ArrayList<>(rows);
        for (int from = 0; from < behind.size(); from += COUNTS_PER_TRIP) {
            List<Integer> trip = behind.subList(from, Math.min(behind.size(), from + COUNTS_PER_TRIP));
            List<String> branches = new ArrayList<>();
            List<Object> params = new ArrayList<>();
            for (int i : trip) {
                Row r = rows.get(i);
                branches.add("SELECT " + i + (r.peer() != null ? COUNT_DIRECT : COUNT_GROUP));
                params.addAll(r.peer() != null ? List.of(r.peer(), uid, r.readMid()) : List.of(r.groupId(), r.readMid()));
            }
            for (long[] count : jdbc.list(String.join(" UNION ALL ", branches),
                    rs -> new long[] {rs.getLong(1), rs.getLong(2)}, params.toArray())) {
                int i = (int) count[0];
                out.set(i, out.get(i).withUnread(count[1]));
            }
        }
        return out;
    }

    private Map<Long, HistoryEntry> messages(List<Long> mids) {
        Map<Long, HistoryEntry> out = new HashMap<>();
        for (List<Long> chunk : InList.chunks(mids)) {
            for (HistoryEntry e : jdbc.list(MESSAGES + InList.of("?", chunk.size()), MessageStore::historyEntry,
                    InList.padded(chunk).toArray())) {
                out.put(e.mid(), e);
            }
        }
        return out;
    }

    private record Row(Long peer, Long groupId, String name, long lastMid, long unread, long readMid) {
        Row withUnread(long n) {
            return new Row(peer, groupId, name, lastMid, n, readMid);
        }
    }
}
