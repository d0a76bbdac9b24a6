package muchat.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * The SQL half of the group commit: stores one batch of messages in one transaction.
 *
 * <ol>
 * <li>Messages whose (sender, cmid) appears earlier in the same batch become duplicates
 *     of the first one. One already stored makes the unique key refuse the batch; then
 *     the batch is rolled back and written again, looking every cmid up first.</li>
 * <li>The others are inserted with one JDBC batch; the generated keys are their mids.</li>
 * <li>The recipients' inbox cursors are locked in ascending uid order (so two server
 *     instances writing for the same users cannot deadlock), the next seqs are handed
 *     out in submission order, and the inbox rows and new cursor values written.</li>
 * </ol>
 * Nothing is visible before COMMIT, and a failure rolls everything back, so a seq is
 * never lost or reused.
 *
 * <p>Threads: the group-commit lanes, several at once: it keeps no state of its own.
 */
final class BatchWriter {
    private static final String FIND_EARLIER =
            "SELECT sender, cmid, mid, ts FROM messages WHERE (sender, cmid) IN ";
    private static final String INSERT_MESSAGE =
            "INSERT INTO messages (sender, to_user, to_group, body, ts, cmid) VALUES (?, ?, ?, ?, ?, ?)";
    private static final String LOCK_CURSORS = "SELECT uid, last_seq FROM inbox_cursor WHERE uid IN ";
    private static final String INSERT_INBOX = "INSERT INTO inbox (uid, seq, mid) VALUES (?, ?, ?)";
    /**
     * One statement for every cursor of the batch: the driver sends the batch as one
     * multi-row upsert, where separate UPDATEs would each be parsed and run on their
     * own. The insert half covers a recipient without a cursor row, which registration
     * normally makes.
     */
    private static final String SAVE_CURSOR = "INSERT INTO inbox_cursor (uid, last_seq) VALUES (?, ?)"
            + " ON DUPLICATE KEY UPDATE last_seq = VALUES(last_seq)";
    private static final String SAVE_ACK = "INSERT INTO inbox_ack (uid, acked) VALUES (?, ?)"
            + " ON DUPLICATE KEY UPDATE acked = GREATEST(acked, VALUES(acked))";

    private final Jdbc jdbc;

    BatchWriter(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Stores the batch; the results are in the batch's order. The commit may not be
     * durable yet: see {@link Checkpointer}.
     */
    List<Stored> write(List<NewMessage> batch) throws SQLException {
        try {
            return jdbc.inTransactionOrThrow(c -> writeIn(c, batch, false), false);
        } catch (SQLException e) {
            if (!Jdbc.isDuplicateKey(e)) {
                throw e;
            }
            // A resent cmid that is already stored (rare: clients resend after a
            // reconnect), so only now pay for looking every message up first.
            return jdbc.inTransactionOrThrow(c -> writeIn(c, batch, true), false);
        }
    }

    /**
     * Raises each user's acked seq to the given one (never lowers it). Not made durable
     * on its own: losing acks only re-delivers messages.
     */
    void writeAcks(SortedMap<Long, Long> acks) throws SQLException {
        jdbc.inTransactionOrThrow(c -> {
            try (PreparedStatement ps = c.prepareStatement(SAVE_ACK)) {
                for (Map.Entry<Long, Long> ack : acks.entrySet()) {
                    ps.setLong(1, ack.getKey());
                    ps.setLong(2, ack.getValue());
                    ps.addBatch();
                }
                return ps.executeBatch();
            }
        }, false);
    }

    /** @param lookUpEarlier whether to look for cmids stored before; if not, the unique key refuses them */
    private List<Stored> writeIn(Connection c, List<NewMessage> batch, boolean lookUpEarlier)
            throws SQLException {
        Stored[] out = new Stored[batch.size()];
        int[] copyOf = new int[batch.size()];
        Arrays.fill(copyOf, -1);
        Map<Key, Stored> earlier = lookUpEarlier ? findEarlier(c, batch) : Map.of();
        Map<Key, Integer> firstInBatch = new HashMap<>();
        List<Integer> fresh = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Key key = Key.of(batch.get(i));
            if (key != null && earlier.containsKey(key)) {
                out[i] = earlier.get(key);
            } else if (key != null && firstInBatch.containsKey(key)) {
                copyOf[i] = firstInBatch.get(key);
            } else {
                if (key != null) {
                    firstInBatch.put(key, i);
                }
                fresh.add(i);
            }
        }
        long[] mids = insertMessages(c, batch, fresh);
        deliver(c, batch, fresh, mids, out);
        for (int i = 0; i < out.length; i++) {
            if (copyOf[i] >= 0) {
                Stored first = out[copyOf[i]];
                out[i] = new Stored(first.mid(), first.ts(), true, Map.of());
            }
        }
        return List.of(out);
    }

    /** Already stored messages with the same (sender, cmid) as one in the batch. */
    private static Map<Key, Stored> findEarlier(Connection c, List<NewMessage> batch) throws SQLException {
        LinkedHashSet<Key> keys = new LinkedHashSet<>();
        for (NewMessage m : batch) {
            Key key = Key.of(m);
            if (key != null) {
                keys.add(key);
            }
        }
        Map<Key, Stored> found = new HashMap<>();
        for (List<Key> chunk : InList.chunks(new ArrayList<>(keys))) {
            String sql = FIND_EARLIER + InList.of("(?, ?)", chunk.size());
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int index = 0;
                for (Key key : InList.padded(chunk)) {
                    ps.setLong(++index, key.sender());
                    ps.setString(++index, key.cmid());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.put(new Key(rs.getLong("sender"), rs.getString("cmid")),
                                new Stored(rs.getLong("mid"), rs.getLong("ts"), true, Map.of()));
                    }
                }
            }
        }
        return found;
    }

    /** Inserts batch[i] for every i in {@code fresh}; returns their mids in that order. */
    private static long[] insertMessages(Connection c, List<NewMessage> batch, List<Integer> fresh)
            throws SQLException {
        long[] mids = new long[fresh.size()];
        if (fresh.isEmpty()) {
            return mids;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_MESSAGE, Statement.RETURN_GENERATED_KEYS)) {
            for (int i : fresh) {
                NewMessage m = batch.get(i);
                ps.setLong(1, m.sender());
                ps.setObject(2, m.toUser(), Types.BIGINT);
                ps.setObject(3, m.toGroup(), Types.BIGINT);
                ps.setString(4, m.text());
                ps.setLong(5, m.ts());
                ps.setString(6, m.cmid());
                ps.addBatch();
            }
            ps.executeBatch();
            int n = 0;
            try (ResultSet keys = ps.getGeneratedKeys()) {
                while (keys.next() && n < mids.length) {
                    mids[n++] = keys.getLong(1);
                }
            }
            if (n != mids.length) {
                throw new SQLException("the driver returned " + n + " keys for " + mids.length + " rows");
            }
            return mids;
        }
    }

    /** Hands out inbox seqs for the fresh messages, in batch order, and records them. */
    private static void deliver(Connection c, List<NewMessage> batch, List<Integer> fresh, long[] mids,
                                Stored[] out) throws SQLException {
        TreeSet<Long> recipients = new TreeSet<>();
        for (int i : fresh) {
            recipients.addAll(batch.get(i).recipients());
        }
        Map<Long, Long> lastSeq = lockCursors(c, new ArrayList<>(recipients));
        try (PreparedStatement ps = c.prepareStatement(INSERT_INBOX)) {
            for (int k = 0; k < fresh.size(); k++) {
                NewMessage m = batch.get(fresh.get(k));
                Map<Long, Long> deliveries = new LinkedHashMap<>();
                for (long uid : m.recipients()) {
                    if (!deliveries.containsKey(uid)) {
                        long seq = lastSeq.merge(uid, 1L, Long::sum);
                        deliveries.put(uid, seq);
                        ps.setLong(1, uid);
                        ps.setLong(2, seq);
                        ps.setLong(3, mids[k]);
                        ps.addBatch();
                    }
                }
                out[fresh.get(k)] = new Stored(mids[k], m.ts(), false, deliveries);
            }
            ps.executeBatch();
        }
        saveCursors(c, recipients, lastSeq);
    }

    /** Locks the cursor rows of {@code uids} (ascending) and returns uid -> last_seq. */
    private static Map<Long, Long> lockCursors(Connection c, List<Long> uids) throws SQLException {
        Map<Long, Long> lastSeq = new HashMap<>();
        for (List<Long> chunk : InList.chunks(uids)) {
            String sql = LOCK_CURSORS + InList.of("?", chunk.size()) + " ORDER BY uid FOR UPDATE";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Jdbc.bind(ps, InList.padded(chunk).toArray());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        lastSeq.put(rs.getLong("uid"), rs.getLong("last_seq"));
                    }
                }
            }
        }
        return lastSeq;
    }

    /** Stores the new last seqs, in ascending uid order like the locks. */
    private static void saveCursors(Connection c, TreeSet<Long> uids, Map<Long, Long> lastSeq)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SAVE_CURSOR)) {
            for (long uid : uids) {
                ps.setLong(1, uid);
                ps.setLong(2, lastSeq.get(uid));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The idempotency key of a message, or null when it has no cmid. */
    private record Key(long sender, String cmid) {
        static Key of(NewMessage m) {
            return m.cmid() == null ? null : new Key(m.sender(), m.cmid());
        }
    }
}
