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
 * the last message is two (one-to-one) or one (group) descents of a messages index, and
 * the unread ones are counted on an index range as long as they are many (no row is
 * read). So the cost is about (conversations x log messages + unread), whatever the
 * history's length.
 *
 * <p>Threads: any thread.
 */
public final class ConversationStore {
    /** The later of two expressions, in words every database takes. */
    private static String later(String a, String b) {
        return "CASE WHEN " + a + " > " + b + " THEN " + a + " ELSE " + b + " END";
    }

    private static final String DIRECT = "SELECT x.peer, COALESCE(u.name, '') AS name, x.mine, x.theirs,"
            + " " + later("x.read_mid", "x.mine") + " AS read_mid,"
            + " (SELECT COUNT(*) FROM messages m WHERE m.sender = x.peer AND m.to_user = x.uid"
            + " AND m.mid > " + later("x.read_mid", "x.mine") + ") AS unread"
            + " FROM (SELECT c.uid, c.peer, c.read_mid,"
            + " COALESCE((SELECT MAX(m.mid) FROM messages m WHERE m.sender = c.uid AND m.to_user = c.peer), 0) AS mine,"
            + " COALESCE((SELECT MAX(m.mid) FROM messages m WHERE m.sender = c.peer AND m.to_user = c.uid), 0) AS theirs"
            + " FROM conversations c WHERE c.uid = ? AND c.group_id = 0) x"
            + " LEFT JOIN users u ON u.id = x.peer";
    private static final String GROUPS = "SELECT x.group_id, x.name, x.read_mid, x.last_mid,"
            + " (SELECT COUNT(*) FROM messages m WHERE m.to_group = x.group_id AND m.mid > x.read_mid) AS unread"
            + " FROM (SELECT gm.group_id, g.name,"
            + " " + later("COALESCE(c.read_mid, 0)", "gm.history_after") + " AS read_mid,"
            + " COALESCE((SELECT MAX(m.mid) FROM messages m WHERE m.to_group = gm.group_id"
            + " AND m.mid > gm.history_after), 0) AS last_mid"
            + " FROM group_members gm JOIN chat_groups g ON g.id = gm.group_id"
            + " LEFT JOIN conversations c ON c.uid = gm.uid AND c.peer = 0 AND c.group_id = gm.group_id"
            + " WHERE gm.uid = ?) x";
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

    /** Each conversation's counts and the mid of its last message. */
    private List<Row> rows(long uid) {
        List<Row> rows = new ArrayList<>(jdbc.list(DIRECT, rs -> new Row(rs.getLong("peer"), null,
                rs.getString("name"), Math.max(rs.getLong("mine"), rs.getLong("theirs")), rs.getLong("unread"),
                rs.getLong("read_mid")), uid));
        rows.addAll(jdbc.list(GROUPS, rs -> new Row(null, rs.getLong("group_id"), rs.getString("name"),
                rs.getLong("last_mid"), rs.getLong("unread"), rs.getLong("read_mid")), uid));
        return rows;
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
    }
}
