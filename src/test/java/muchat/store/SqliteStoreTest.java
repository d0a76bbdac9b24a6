package muchat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded SQLite database, in a fresh directory per class. */
class SqliteStoreTest extends StoreContract {
    @TempDir
    static Path dataDir;

    @Override
    Database open() {
        return Database.embedded(dataDir);
    }

    @Test
    void everyConnectionWritesAheadAndFsyncsEachCommit() throws SQLException {
        try (Connection c = db.dataSource().getConnection()) {
            assertEquals("wal", pragma(c, "journal_mode"));
            assertEquals("2", pragma(c, "synchronous"), "FULL");
            assertEquals("0", pragma(c, "foreign_keys"));
            assertEquals("10000", pragma(c, "wal_autocheckpoint"));
        }
    }

    /**
     * A client that resends after a reconnect makes the group commit look its cmids up:
     * that must be an index lookup, not a read of every message ever stored.
     */
    @Test
    void lookingUpResentCmidsUsesTheIndex() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + BatchWriter.findEarlierSql(2, 3))) {
            for (int i = 1; i <= ps.getParameterMetaData().getParameterCount(); i++) {
                ps.setLong(i, i);
            }
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString("detail")).append('\n');
                }
            }
            assertTrue(plan.toString().contains("USING INDEX uq_messages_sender_cmid"), plan.toString());
        }
    }

    /** A classic client's message has no cmid: the unique cmid index leaves such rows out. */
    @Test
    void theCmidIndexHoldsOnlyMessagesWithACmid() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT sql FROM sqlite_master WHERE name = 'uq_messages_sender_cmid'");
             ResultSet rs = ps.executeQuery()) {
            assertTrue(rs.next());
            assertTrue(rs.getString(1).endsWith("WHERE cmid IS NOT NULL"), rs.getString(1));
        }
    }

    private static String pragma(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("PRAGMA " + name); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}
