package muchat.store;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks at start-up that MariaDB/MySQL makes a COMMIT durable, which SEND_ACK promises
 * (docs/protocol.md section 5), and logs one warning line when its settings allow a
 * crash of the database's machine to lose committed messages:
 *
 * <ul>
 * <li>{@code innodb_flush_log_at_trx_commit} other than 1 (or MariaDB's 3) writes the
 *     redo log to the disk about once a second instead of at each commit;</li>
 * <li>with the binary log on, {@code sync_binlog} other than 1 leaves the binlog to the
 *     operating system's cache, and crash recovery rolls back transactions that are
 *     missing from it.</li>
 * </ul>
 * The server keeps running either way: the operator may have chosen the trade.
 *
 * <p>Threads: called once, by the thread that opens the database.
 */
final class ServerDurability {
    private static final Logger log = LoggerFactory.getLogger(ServerDurability.class);
    private static final String SETTINGS =
            "SELECT @@innodb_flush_log_at_trx_commit, @@log_bin, @@sync_binlog";

    private ServerDurability() {
    }

    /** Reads the settings and logs a warning if they allow losing commits. */
    static void check(Jdbc jdbc) {
        long[] settings;
        try {
            settings = jdbc.first(SETTINGS, rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)})
                    .orElseThrow();
        } catch (StoreException e) {
            log.warn("cannot read the database's durability settings, acknowledged messages may not be"
                    + " durable: {}", e.getMessage());
            return;
        }
        List<String> risks = risks(settings[0], settings[1] != 0, settings[2]);
        if (!risks.isEmpty()) {
            log.warn("the database may lose acknowledged messages if its machine crashes or loses power: {}",
                    String.join("; ", risks));
        }
    }

    /** What in these settings allows losing commits, as advice for the operator; empty if nothing. */
    static List<String> risks(long flushLogAtCommit, boolean binlogOn, long syncBinlog) {
        List<String> risks = new ArrayList<>();
        if (flushLogAtCommit != 1 && flushLogAtCommit != 3) {
            risks.add("innodb_flush_log_at_trx_commit=" + flushLogAtCommit + " (set it to 1)");
        }
        if (binlogOn && syncBinlog != 1) {
            risks.add("sync_binlog=" + syncBinlog + " with the binary log on (set it to 1)");
        }
        return risks;
    }
}
