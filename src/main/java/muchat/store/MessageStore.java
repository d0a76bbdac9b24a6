package muchat.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Chat messages and inboxes: the hot path of the server.
 *
 * <p>Writes use group commit in one or more lanes ({@link GroupCommitWriter}). A message
 * goes to the lane of its sender, so one sender's messages are stored, numbered and
 * acknowledged in the order they were submitted; different senders' messages commit in
 * parallel lanes, whose transactions lock inbox cursors in ascending uid order and so
 * never deadlock. One lane suits the embedded database, which writes from one thread
 * anyway; a MySQL/MariaDB server overlaps several lanes' round trips and commits.
 *
 * <p>Acks are only remembered, and written now and then by the {@link AckWriter}:
 * losing one merely re-delivers messages, which the protocol allows.
 *
 * <p>The messages waiting for the group commit are counted over all lanes: see
 * {@link #setBacklogListener}.
 *
 * <p>Threads: every method may be called from any thread. Futures complete on a lane's
 * thread (on H2, the checkpointer's), so callbacks attached to them should be short or
 * hand off.
 */
public final class MessageStore implements AutoCloseable {
    static final String ENTRY_COLUMNS = "m.mid, m.sender, COALESCE(u.name, '') AS sender_name,"
            + " m.to_user, m.to_group, m.body, m.ts, m.recalled";
    /**
     * {@code i.uid} in ORDER BY, although the WHERE fixes it, is what lets H2 walk the
     * primary key (uid, seq) in order and stop at the limit; ordered by seq alone it
     * joins and sorts every later entry of the inbox for each page it returns.
     */
    private static final String INBOX_AFTER = "SELECT i.uid, i.seq, i.kind, m.kind AS message_kind, " + ENTRY_COLUMNS
            + " FROM inbox i JOIN messages m ON m.mid = i.mid LEFT JOIN users u ON u.id = m.sender"
            + " WHERE i.uid = ? AND i.seq > ? ORDER BY i.uid, i.seq LIMIT ?";
    /**
     * Each direction reads at most {@code limit} rows backwards from its own index range.
     * Each is a derived table, not a parenthesized SELECT, which SQLite does not take in
     * a UNION. Events between the two users (friend requests) are not part of it.
     */
    private static final String DIRECT_HISTORY_ONE_WAY = "SELECT * FROM (SELECT " + ENTRY_COLUMNS
            + " FROM messages m LEFT JOIN users u ON u.id = m.sender"
            + " WHERE m.sender = ? AND m.to_user = ? AND m.mid < ? AND m.kind = 0 ORDER BY m.mid DESC LIMIT ?)";
    private static final String DIRECT_HISTORY = DIRECT_HISTORY_ONE_WAY + " AS one_way UNION "
            + DIRECT_HISTORY_ONE_WAY + " AS other_way ORDER BY mid DESC LIMIT ?";
    private static final String GROUP_HISTORY = "SELECT " + ENTRY_COLUMNS
            + " FROM messages m LEFT JOIN users u ON u.id = m.sender"
            + " WHERE m.to_group = ? AND m.mid > ? AND m.mid < ? ORDER BY m.mid DESC LIMIT ?";
    private static final String MOST_ADVANCED = "SELECT MAX(acked) FROM (SELECT acked FROM inbox_ack WHERE uid = ?"
            + " UNION ALL SELECT acked FROM device_ack WHERE uid = ?) AS positions";
    private static final String LAST_SEQS = "SELECT uid, last_seq FROM inbox_cursor WHERE uid IN ";
    private static final String MESSAGE = "SELECT " + ENTRY_COLUMNS
            + " FROM messages m LEFT JOIN users u ON u.id = m.sender WHERE m.mid = ? AND m.kind = 0";
    private static final String RECALL =
            "UPDATE messages SET recalled = TRUE, body = '' WHERE mid = ? AND kind = 0 AND NOT recalled";
    private static final String NEXT_SEQS = "UPDATE inbox_cursor SET last_seq = last_seq + 1 WHERE uid IN ";
    private static final String INSERT_ENTRIES = "INSERT INTO inbox (uid, seq, mid, kind) VALUES ";

    /**
     * The device a user has from registration on (a LOGIN that names none,
     * docs/protocol.md section 2), whose RECV_ACK position is in inbox_ack.
     */
    public static final String DEFAULT_DEVICE = "default";

    private final Jdbc jdbc;
    private final List<GroupCommitWriter> lanes = new ArrayList<>();
    /** Null when COMMIT is durable by itself. */
    private final Checkpointer checkpointer;
    private final AckWriter acks;
    private final Backlog backlog = new Backlog();

    /** Told when too many messages wait for the group commit, and when they are few enough again. */
    @FunctionalInterface
    public interface BacklogListener {
        /**
         * @param over true once the high mark is reached: take in no new work; false once
         *             the backlog is back down to the low mark
         */
        void backlogged(boolean over);
    }

    MessageStore(Jdbc jdbc, int laneCount) {
        this.jdbc = jdbc;
        this.checkpointer = jdbc.commitIsDurable() ? null : new Checkpointer(jdbc);
        for (int i = 0; i < laneCount; i++) {
            lanes.add(new GroupCommitWriter(new BatchWriter(jdbc), checkpointer, backlog,
                    "muchat-db-writer-" + i));
        }
        this.acks = new AckWriter(jdbc);
    }

    /**
     * Queues the message for the next group commit. The future completes once the
     * message is durable (after COMMIT, and on H2 after the checkpoint that follows it),
     * in submission order, or exceptionally with a {@link StoreException} if the database
     * failed or refused this message (then it was not stored; the other messages of its
     * group commit are, see {@link SplittingWriter}) or the store is closed.
     */
    public CompletableFuture<Stored> submit(NewMessage message) {
        return lanes.get((int) Math.floorMod(message.sender(), (long) lanes.size())).submit(message);
    }

    /**
     * Tells {@code listener} when the messages submitted but not yet written by their
     * lane reach {@code highMark} ({@code backlogged(true)}), and when they are back
     * down to half of it ({@code backlogged(false)}); replaces the earlier listener. The
     * default high mark, {@value Backlog#DEFAULT_HIGH_MARK}, only logs. Nothing is
     * refused at the mark: submissions past it are queued like the others, and the
     * caller is expected to stop taking in work until the signal goes off.
     *
     * <p>{@code true} is signalled on the thread whose {@link #submit} reached the mark,
     * {@code false} on a group-commit lane's thread (and either by this call if the
     * backlog is already past the new mark). The calls are made under a lock, so they
     * never overtake each other: the listener must be short (set a flag, wake a loop)
     * and must not call back into the store.
     */
    public void setBacklogListener(int highMark, BacklogListener listener) {
        backlog.watch(highMark, listener);
    }

    /** How many messages wait for the group commit now, over all lanes. */
    public long backlog() {
        return backlog.waiting();
    }

    /** Records that {@code device} of {@code uid} has everything up to {@code seq}; acked only ever grows. */
    public void ack(long uid, String device, long seq) {
        acks.ack(uid, device, seq);
    }

    /**
     * Where a login of {@code device} of {@code uid} starts: the highest seq that device
     * acknowledged, counting acks not yet written. {@value #DEFAULT_DEVICE} is known from
     * registration on (its position is in inbox_ack). Another
     * device new to the user (never logged in) starts where the user's most advanced
     * device is (docs/protocol.md section 2), and is recorded at once (see
     * {@link #usedOtherDevices}).
     */
    public long loginPosition(long uid, String device) throws StoreException {
        // Pending first: a flush commits the row before it forgets the pending ack, so one
        // that falls between the two reads is seen in the row. The other order could miss it.
        long pending = acks.pending(uid, device);
        Optional<Long> stored = device.equals(DEFAULT_DEVICE)
                ? jdbc.first("SELECT acked FROM inbox_ack WHERE uid = ?", rs -> rs.getLong(1), uid)
                : jdbc.first("SELECT acked FROM device_ack WHERE uid = ? AND device = ?", rs -> rs.getLong(1),
                        uid, device);
        if (stored.isPresent() || acks.isPending(uid, device)) {
            return Math.max(stored.orElse(0L), pending);
        }
        long start = Math.max(acks.pending(uid), jdbc.first(MOST_ADVANCED, rs -> rs.getLong(1), uid, uid)
                .orElse(0L));
        jdbc.update(jdbc.dialect().saveDeviceAck(), uid, device, start);
        return start;
    }

    /** Whether {@code uid} has ever logged in on a device other than {@value #DEFAULT_DEVICE}. */
    public boolean usedOtherDevices(long uid) throws StoreException {
        return jdbc.first("SELECT 1 FROM device_ack WHERE uid = ? LIMIT 1", rs -> rs.getInt(1), uid).isPresent();
    }

    /** Up to {@code limit} inbox entries of {@code uid} with seq > {@code afterSeq}, by ascending seq. */
    public List<InboxEntry> inboxAfter(long uid, long afterSeq, int limit) throws StoreException {
        return jdbc.list(INBOX_AFTER, MessageStore::inboxEntry, uid, afterSeq, limit);
    }

    /** The highest seq handed out to {@code uid}, 0 if none. */
    public long lastSeq(long uid) throws StoreException {
        return lastSeqs(List.of(uid)).getOrDefault(uid, 0L);
    }

    /** {@link #lastSeq} for many users at once; users without an inbox are left out. */
    public Map<Long, Long> lastSeqs(Collection<Long> uids) throws StoreException {
        Map<Long, Long> out = new HashMap<>();
        for (List<Long> chunk : InList.chunks(new ArrayList<>(uids))) {
            String sql = LAST_SEQS + InList.of("?", chunk.size());
            Object[] params = InList.padded(chunk).toArray();
            for (long[] row : jdbc.list(sql, rs -> new long[] {rs.getLong(1), rs.getLong(2)}, params)) {
                out.put(row[0], row[1]);
            }
        }
        return out;
    }

    /**
     * The one-to-one messages between {@code uid} and {@code peer}, both directions,
     * newest first, with mid < {@code beforeMid} (null: from the newest).
     */
    public List<HistoryEntry> history(long uid, long peer, Long beforeMid, int limit) throws StoreException {
        long before = beforeMid == null ? Long.MAX_VALUE : beforeMid;
        return jdbc.list(DIRECT_HISTORY, MessageStore::historyEntry,
                uid, peer, before, limit, peer, uid, before, limit, limit);
    }

    /**
     * A group's messages, newest first, with {@code afterMid} < mid < {@code beforeMid}
     * (null: from the newest).
     */
    public List<HistoryEntry> groupHistory(long groupId, long afterMid, Long beforeMid, int limit)
            throws StoreException {
        long before = beforeMid == null ? Long.MAX_VALUE : beforeMid;
        return jdbc.list(GROUP_HISTORY, MessageStore::historyEntry, groupId, afterMid, before, limit);
    }

    /** The chat message {@code mid}, or empty if there is none (a friend event is none). */
    public Optional<HistoryEntry> message(long mid) throws StoreException {
        return jdbc.first(MESSAGE, MessageStore::historyEntry, mid);
    }

    /**
     * Puts an entry of {@code kind} about message {@code mid} into each user's inbox, in
     * one transaction; returns each user's new seq. For the rare entries that are no
     * chat message (receipts, recalls): they do not wait for a group commit.
     */
    public Map<Long, Long> addEntries(InboxEntry.Kind kind, long mid, Collection<Long> uids) throws StoreException {
        return jdbc.inTransaction(c -> addEntries(c, kind, mid, uids));
    }

    /**
     * Marks message {@code mid} recalled, empties its text and puts a RECALL entry into
     * each of {@code uids}' inboxes, in one transaction; returns each user's new seq, or
     * nothing if the message was recalled already.
     */
    public Map<Long, Long> recall(long mid, Collection<Long> uids) throws StoreException {
        return jdbc.inTransaction(c -> Jdbc.update(c, RECALL, mid) == 0
                ? Map.of() : addEntries(c, InboxEntry.Kind.RECALL, mid, uids));
    }

    /**
     * One seq per user: three statements per {@value InList#MAX} users, so a recall in a
     * large group holds its cursors briefly. The cursors are locked in ascending uid
     * order (the primary key's, which an IN list walks), as the group commit locks them,
     * so the two never deadlock.
     */
    private static Map<Long, Long> addEntries(Connection c, InboxEntry.Kind kind, long mid, Collection<Long> uids)
            throws SQLException {
        Map<Long, Long> seqs = new LinkedHashMap<>();
        for (List<Long> chunk : InList.chunks(new ArrayList<>(new TreeSet<>(uids)))) {
            String in = InList.of("?", chunk.size());
            Object[] params = InList.padded(chunk).toArray();
            Jdbc.update(c, NEXT_SEQS + in, params);
            List<Object> rows = new ArrayList<>();
            for (long[] cursor : Jdbc.list(c, LAST_SEQS + in, rs -> new long[] {rs.getLong(1), rs.getLong(2)}, params)) {
                seqs.put(cursor[0], cursor[1]);
                rows.addAll(List.of(cursor[0], cursor[1], mid, kind.code()));
            }
            if (!rows.isEmpty()) {
                Jdbc.update(c, INSERT_ENTRIES + String.join(", ", Collections.nCopies(rows.size() / 4, "(?, ?, ?, ?)")),
                        rows.toArray());
            }
        }
        return seqs;
    }

    /**
     * Writes everything submitted so far, flushes the acks and stops the lanes. Later
     * submissions fail with a StoreException. Idempotent.
     */
    @Override
    public void close() {
        lanes.forEach(GroupCommitWriter::close);
        if (checkpointer != null) {
            checkpointer.close();
        }
        acks.close();
    }

    static HistoryEntry historyEntry(ResultSet rs) throws SQLException {
        return new HistoryEntry(rs.getLong("mid"), rs.getLong("sender"), rs.getString("sender_name"),
                Jdbc.nullableLong(rs, "to_user"), Jdbc.nullableLong(rs, "to_group"),
                rs.getString("body"), rs.getLong("ts"), rs.getBoolean("recalled"));
    }

    private static InboxEntry inboxEntry(ResultSet rs) throws SQLException {
        HistoryEntry m = historyEntry(rs);
        InboxEntry.Kind kind = InboxEntry.Kind.of(rs.getInt("kind"), rs.getInt("message_kind"));
        return new InboxEntry(rs.getLong("uid"), rs.getLong("seq"), kind, m.mid(),
                m.sender(), m.senderName(), m.toUser(), m.toGroup(), m.text(), m.ts(), m.recalled());
    }
}
