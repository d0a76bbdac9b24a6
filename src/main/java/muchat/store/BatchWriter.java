package muchat.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The SQL half of the group commit: stores one batch of messages in one transaction, in
 * three round trips on MySQL/MariaDB.
 *
 * <ol>
 * <li>Messages whose (sender, cmid) appears earlier in the same batch become duplicates
 *     of the first one. One already stored makes the unique key refuse the batch; then
 *     the batch is rolled back and written again, looking every cmid up first.</li>
 * <li>The others are inserted with one JDBC batch; the generated keys are their mids.</li>
 * <li>Each recipient's inbox cursor is advanced by the number of messages it gets, in
 *     ascending uid order (so two server instances writing for the same users cannot
 *     deadlock: the row locks are always taken in that order), and read back in the same
 *     round trip; the seqs below the new value are this batch's, handed out in
 *     submission order.</li>
 * <li>The inbox rows travel with the COMMIT, and so do the conversation rows and the
 *     senders' read positions ({@link ConversationRows}).</li>
 * </ol>
 * Nothing is visible before COMMIT, and a failure rolls everything back, so a seq is
 * never lost or reused. Round trips are most of a batch's time: with the machine's cores
 * busy each one waits for the database's thread to be scheduled. Hence the kept
 * connection (no autocommit switches), the cursors advanced and read back in one
 * round trip (no locking SELECT first), and COMMIT sent with the inbox rows.
 *
 * <p>Threads: one group-commit lane, which keeps its connection (see {@link Jdbc.Kept})
 * and closes the writer after its last batch.
 */
final class BatchWriter implements AutoCloseable {
    /**
     * Followed by {@code IN} lists of senders and of cmids: a superset of the pairs asked
     * for, which the caller filters. A list of (sender, cmid) pairs, {@code (sender, cmid)
     * IN ((?, ?), ...)}, reads the whole table on SQLite; two lists of values are index
     * lookups on every database, including SQLite's partial index (see {@link Dialect}).
     */
    private static final String FIND_EARLIER = "SELECT sender, cmid, mid, ts FROM messages WHERE sender IN ";
    private static final String AND_CMID_IN = " AND cmid IN ";
    private static final String INSERT_MESSAGE =
            "INSERT INTO messages (sender, to_user, to_group, body, ts, cmid, kind) VALUES (?, ?, ?, ?, ?, ?, ?)";
    private static final String READ_CURSORS = "SELECT uid, last_seq FROM inbox_cursor WHERE uid IN ";
    private static final String INSERT_INBOX = "INSERT INTO inbox (uid, seq, mid) VALUES ";
    /** Rows per multi-row INSERT statement. */
    private static final int ROWS_PER_STATEMENT = 1000;

    private final Jdbc jdbc;
    private final Jdbc.Kept connection;
    private final ConversationRows conversations;

    BatchWriter(Jdbc jdbc) {
        this.jdbc = jdbc;
        this.connection = jdbc.keep();
        this.conversations = new ConversationRows(jdbc.dialect());
    }

    /**
     * Stores the batch; the results are in the batch's order. The commit may not be
     * durable yet: see {@link Checkpointer}.
     */
    List<Stored> write(List<NewMessage> batch) throws SQLException {
        try {
            return connection.run(c -> writeIn(c, batch, false));
        } catch (SQLException e) {
            if (!Jdbc.isDuplicateKey(e)) {
                throw e;
            }
            // A resent cmid that is already stored (rare: clients resend after a
            // reconnect), so only now pay for looking every message up first.
            return connection.run(c -> writeIn(c, batch, true));
        }
    }

    /** Gives the kept connection back to the pool. */
    @Override
    public void close() {
        connection.close();
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
        List<Jdbc.Sql> statements = deliver(c, batch, fresh, mids, out);
        statements.addAll(conversations.statements(batch, fresh, mids));
        jdbc.commitWith(c, statements);
        conversations.committed();
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
            List<Long> senders = chunk.stream().map(Key::sender).distinct().toList();
            List<String> cmids = chunk.stream().map(Key::cmid).distinct().toList();
            try (PreparedStatement ps = c.prepareStatement(findEarlierSql(senders.size(), cmids.size()))) {
                int index = 0;
                for (long sender : InList.padded(senders)) {
                    ps.setLong(++index, sender);
                }
                for (String cmid : InList.padded(cmids)) {
                    ps.setString(++index, cmid);
                }
                readEarlier(ps, keys, found);
            }
        }
        return found;
    }

    /** The lookup of stored cmids among {@code senders} senders and {@code cmids} cmids. */
    static String findEarlierSql(int senders, int cmids) {
        return FIND_EARLIER + InList.of("?", senders) + AND_CMID_IN + InList.of("?", cmids);
    }

    /** Adds the rows of {@code ps} whose (sender, cmid) is one of {@code keys}. */
    private static void readEarlier(PreparedStatement ps, Set<Key> keys, Map<Key, Stored> found) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Key key = new Key(rs.getLong("sender"), rs.getString("cmid"));
                if (keys.contains(key)) {
                    found.put(key, new Stored(rs.getLong("mid"), rs.getLong("ts"), true, Map.of()));
                }
            }
        }
    }

    /** Inserts batch[i] for every i in {@code fresh}; returns their mids in that order. */
    private long[] insertMessages(Connection c, List<NewMessage> batch, List<Integer> fresh)
            throws SQLException {
        long[] mids = new long[fresh.size()];
        if (fresh.isEmpty()) {
            return mids;
        }
        if (!jdbc.dialect().batchReturnsKeys()) {
            return insertOneByOne(c, batch, fresh, mids);
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_MESSAGE, Statement.RETURN_GENERATED_KEYS)) {
            for (int i : fresh) {
                bindMessage(ps, batch.get(i));
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

    /** {@link #insertMessages} for SQLite, in this process: one statement per message, each returning its mid. */
    private static long[] insertOneByOne(Connection c, List<NewMessage> batch, List<Integer> fresh, long[] mids)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_MESSAGE + " RETURNING mid")) {
            for (int k = 0; k < mids.length; k++) {
                bindMessage(ps, batch.get(fresh.get(k)));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    mids[k] = rs.getLong(1);
                }
            }
        }
        return mids;
    }

    private static void bindMessage(PreparedStatement ps, NewMessage m) throws SQLException {
        ps.setLong(1, m.sender());
        ps.setObject(2, m.toUser(), Types.BIGINT);
        ps.setObject(3, m.toGroup(), Types.BIGINT);
        ps.setString(4, m.text());
        ps.setLong(5, m.ts());
        ps.setString(6, m.cmid());
        ps.setInt(7, m.kind());
    }

    /**
     * Hands out inbox seqs for the fresh messages, in batch order, and returns the
     * statements that store the inbox rows.
     */
    private List<Jdbc.Sql> deliver(Connection c, List<NewMessage> batch, List<Integer> fresh, long[] mids,
                                   Stored[] out) throws SQLException {
        TreeMap<Long, Long> counts = new TreeMap<>();
        for (int i : fresh) {
            recipients(batch.get(i)).forEach(uid -> counts.merge(uid, 1L, Long::sum));
        }
        Map<Long, Long> lastSeq = advanceCursors(c, counts);
        List<Object> inbox = new ArrayList<>();
        for (int k = 0; k < fresh.size(); k++) {
            NewMessage m = batch.get(fresh.get(k));
            Map<Long, Long> deliveries = new LinkedHashMap<>();
            for (long uid : recipients(m)) {
                long seq = lastSeq.merge(uid, 1L, Long::sum);
                deliveries.put(uid, seq);
                inbox.addAll(List.of(uid, seq, mids[k]));
            }
            out[fresh.get(k)] = new Stored(mids[k], m.ts(), false, deliveries);
        }
        return multiRow(INSERT_INBOX, "", 3, inbox);
    }

    /** The inboxes {@code m} goes to: its recipients, and its sender's for a sender's copy. */
    private static List<Long> recipients(NewMessage m) {
        if (!m.senderCopy() || m.recipients().contains(m.sender())) {
            return m.recipients();
        }
        List<Long> all = new ArrayList<>(m.recipients());
        all.add(m.sender());
        return all;
    }

    /**
     * Adds {@code counts} (uid -> messages for it, ascending uid) to the cursors and
     * returns uid -> the last seq before this batch. The upsert's insert half covers a
     * recipient without a cursor row, which registration normally makes.
     */
    private Map<Long, Long> advanceCursors(Connection c, TreeMap<Long, Long> counts) throws SQLException {
        List<Object> values = new ArrayList<>();
        counts.forEach((uid, n) -> values.addAll(List.of(uid, n)));
        Dialect.MultiRow advance = jdbc.dialect().advanceCursors();
        List<Jdbc.Sql> statements = new ArrayList<>(
                multiRow(advance.head(), advance.tail(), 2, advance.tuple(), values));
        for (List<Long> chunk : InList.chunks(new ArrayList<>(counts.keySet()))) {
            statements.add(new Jdbc.Sql(READ_CURSORS + InList.of("?", chunk.size()),
                    new ArrayList<>(InList.padded(chunk))));
        }
        Map<Long, Long> before = new HashMap<>();
        for (long[] row : jdbc.run(c, statements, rs -> new long[] {rs.getLong(1), rs.getLong(2)})) {
            before.put(row[0], row[1] - counts.get(row[0]));
        }
        return before;
    }

    /**
     * {@code head (?, ..), (?, ..) ... tail} statements for {@code values}, {@code width}
     * values a row, at most {@value #ROWS_PER_STATEMENT} rows each.
     */
    private static List<Jdbc.Sql> multiRow(String head, String tail, int width, List<Object> values) {
        return multiRow(head, tail, width, "(" + String.join(", ", Collections.nCopies(width, "?")) + ")", values);
    }

    /** {@link #multiRow} with each row written as {@code tuple}. */
    static List<Jdbc.Sql> multiRow(String head, String tail, int width, String tuple, List<Object> values) {
        List<Jdbc.Sql> statements = new ArrayList<>();
        int perStatement = ROWS_PER_STATEMENT * width;
        for (int from = 0; from < values.size(); from += perStatement) {
            List<Object> chunk = values.subList(from, Math.min(values.size(), from + perStatement));
            String rows = String.join(", ", Collections.nCopies(chunk.size() / width, tuple));
            statements.add(new Jdbc.Sql(head + rows + tail, chunk));
        }
        return statements;
    }

    /** The idempotency key of a message, or null when it has no cmid. */
    private record Key(long sender, String cmid) {
        static Key of(NewMessage m) {
            return m.cmid() == null ? null : new Key(m.sender(), m.cmid());
        }
    }
}
