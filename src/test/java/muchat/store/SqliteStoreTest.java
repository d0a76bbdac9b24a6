package muchat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    private static String pragma(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("PRAGMA " + name); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}
