package muchat.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chat messages and inboxes: the hot path of the server.
 *
 * <p>Writes use group commit. {@link #submit} only queues the message; one writer thread
 * takes whatever is queued (up to {@value #MAX_BATCH} messages, never waiting for more)
 * and stores it in one transaction (see {@link BatchWriter}), then completes the futures
 * in submission order. A busy server thus pays one commit for hundreds of messages,
 * while a quiet one commits each message at once.
 *
 * <p>Acks are only remembered and written by the writer thread every
 * {@value #ACK_FLUSH_MS} ms or when idle: losing one merely re-delivers messages, which
 * the protocol allows.
 *
 * <p>Threads: every method may be called from any thread. Futures complete on the
 * writer thread, so callbacks attached to them should be short or hand off.
 */
public final class MessageStore implements AutoCloseable {
    static final int MAX_BATCH = 512;
    static final long ACK_FLUSH_MS = 100;

    private static final Logger log = LoggerFactory.getLogger(MessageStore.class);
    /** Queued by close(): everything before it is written, everything after it refused. */
    private static final Pending STOP = new Pending(null, new CompletableFuture<>());

    private static final String ENTRY_COLUMNS = "m.mid, m.sender, COALESCE(u.name, '') AS sender_name,"
            + " m.to_user, m.to_group, m.body, m.ts";
    private static final String INBOX_AFTER = "SELECT i.uid, i.seq, " + ENTRY_COLUMNS
            + " FROM inbox i JOIN messages m ON m.mid = i.mid LEFT JOIN users u ON u.id = m.sender"
            + " WHERE i.uid = ? AND i.seq > ? ORDER BY i.seq LIMIT ?";
    /** Each direction reads at most {@code limit} rows backwards from its own index range. */
    private static final String DIRECT_HISTORY_ONE_WAY = "(SELECT " + ENTRY_COLUMNS
            + " FROM messages m LEFT JOIN users u ON u.id = m.sender"
            + " WHERE m.sender = ? AND m.to_user = ? AND m.mid < ? ORDER BY m.mid DESC LIMIT ?)";
    private static final String DIRECT_HISTORY = DIRECT_HISTORY_ONE_WAY + " UNION "
            + DIRECT_HISTORY_ONE_WAY + " ORDER BY mid DESC LIMIT ?";
    private static final String GROUP_HISTORY = "SELECT " + ENTRY_COLUMNS
            + " FROM messages m LEFT JOIN users u ON u.id = m.sender"
            + " WHERE m.to_group = ? AND m.mid < ? ORDER BY m.mid DESC LIMIT ?";
    private static final String LAST_SEQS = "SELECT uid, last_seq FROM inbox_cursor WHERE uid IN ";

    private final Jdbc jdbc;
    private final BatchWriter writer;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** uid -> highest seq acked but not yet written. */
    private final ConcurrentHashMap<Long, Long> pendingAcks = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    // Writer thread only.
    private long lastAckFlush;
    private boolean failing;
    private long rejectedWhileFailing;

    MessageStore(Jdbc jdbc) {
        this.jdbc = jdbc;
        this.writer = new BatchWriter(jdbc);
        this.thread = new Thread(this::run, "muchat-db-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues the message for the next group commit. The future completes after COMMIT, in
     * submission order, or exceptionally with a {@link StoreException} if the database
     * failed (then nothing was stored) or the store is closed.
     */
    public CompletableFuture<Stored> submit(NewMessage message) {
        CompletableFuture<Stored> future = new CompletableFuture<>();
        if (closed) {
            future.completeExceptionally(closedError());
            return future;
        }
        Pending pending = new Pending(message, future);
        queue.add(pending);
        // close() may have queued STOP in between; then refuse unless the writer took it.
        if (closed && queue.remove(pending)) {
            future.completeExceptionally(closedError());
        }
        return future;
    }

    /** Records that {@code uid} has everything up to {@code seq}; acked only ever grows. */
    public void ack(long uid, long seq) {
        pendingAcks.merge(uid, seq, Math::max);
    }

    /** The highest seq {@code uid} acknowledged, counting acks not yet written. */
    public long acked(long uid) throws StoreException {
        long stored = jdbc.first("SELECT acked FROM inbox_cursor WHERE uid = ?",
                rs -> rs.getLong("acked"), uid).orElse(0L);
        return Math.max(stored, pendingAcks.getOrDefault(uid, 0L));
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

    /** A group's messages, newest first, with mid < {@code beforeMid} (null: from the newest). */
    public List<HistoryEntry> groupHistory(long groupId, Long beforeMid, int limit) throws StoreException {
        long before = beforeMid == null ? Long.MAX_VALUE : beforeMid;
        return jdbc.list(GROUP_HISTORY, MessageStore::historyEntry, groupId, before, limit);
    }

    /**
     * Writes everything submitted so far, flushes the acks and stops the writer. Later
     * submissions fail with a StoreException. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        boolean stopping = false;
        while (!stopping) {
            Pending first = poll();
            if (first != null) {
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                int stop = batch.indexOf(STOP);
                if (stop >= 0) {
                    stopping = true;
                    List<Pending> refused = batch.subList(stop, batch.size());
                    fail(refused, closedError());
                    refused.clear();
                }
                write(batch);
                batch.clear();
            }
            if (stopping || first == null || System.currentTimeMillis() - lastAckFlush >= ACK_FLUSH_MS) {
                flushAcks();
            }
        }
        List<Pending> late = new ArrayList<>();
        queue.drainTo(late);
        fail(late, closedError());
    }

    private Pending poll() {
        try {
            return queue.poll(ACK_FLUSH_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            // Nobody should interrupt this thread (H2 closes its file when interrupted
            // during I/O); close() stops it with STOP instead.
            return null;
        }
    }

    private void write(List<Pending> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<Stored> results;
        try {
            results = writer.write(batch.stream().map(Pending::message).toList());
        } catch (SQLException | RuntimeException e) {
            // What is queued behind this batch would meet the same broken database:
            // refuse it now rather than after another connection timeout each.
            List<Pending> refused = new ArrayList<>(batch);
            queue.drainTo(refused);
            if (refused.remove(STOP)) {
                queue.add(STOP);
            }
            failing(e, refused.size());
            fail(refused, new StoreException("cannot store the message: " + firstLine(e), e));
            return;
        }
        recovered();
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).future().complete(results.get(i));
        }
    }

    private void flushAcks() {
        lastAckFlush = System.currentTimeMillis();
        if (pendingAcks.isEmpty()) {
            return;
        }
        SortedMap<Long, Long> acks = new TreeMap<>(pendingAcks);
        try {
            writer.writeAcks(acks);
        } catch (SQLException | RuntimeException e) {
            failing(e, 0); // the acks stay pending and are tried again at the next flush
            return;
        }
        recovered();
        acks.forEach(pendingAcks::remove); // only those not raised meanwhile
    }

    private void failing(Exception e, int rejected) {
        if (!failing) {
            failing = true;
            log.warn("database writes failing, refusing messages until it recovers: {}", firstLine(e));
        }
        rejectedWhileFailing += rejected;
    }

    private void recovered() {
        if (failing) {
            log.info("database writes recovered; {} messages were refused meanwhile", rejectedWhileFailing);
            failing = false;
            rejectedWhileFailing = 0;
        }
    }

    private static void fail(List<Pending> pendings, StoreException error) {
        for (Pending p : pendings) {
            p.future().completeExceptionally(error);
        }
    }

    /** H2 appends the SQL on further lines; operators need the first. */
    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static StoreException closedError() {
        return new StoreException("the message store is closed");
    }

    private static HistoryEntry historyEntry(ResultSet rs) throws SQLException {
        return new HistoryEntry(rs.getLong("mid"), rs.getLong("sender"), rs.getString("sender_name"),
                Jdbc.nullableLong(rs, "to_user"), Jdbc.nullableLong(rs, "to_group"),
                rs.getString("body"), rs.getLong("ts"));
    }

    private static InboxEntry inboxEntry(ResultSet rs) throws SQLException {
        HistoryEntry m = historyEntry(rs);
        return new InboxEntry(rs.getLong("uid"), rs.getLong("seq"), m.mid(), m.sender(), m.senderName(),
                m.toUser(), m.toGroup(), m.text(), m.ts());
    }

    /** A submitted message and the future its sender waits on. */
    private record Pending(NewMessage message, CompletableFuture<Stored> future) {
    }
}
