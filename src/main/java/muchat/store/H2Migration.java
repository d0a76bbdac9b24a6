package muchat.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the data of the previous version's embedded database (H2, {@code muchat.mv.db})
 * into the new SQLite one, once, at start-up: every table of chat.sql, row for row, in
 * one SQLite transaction, so a failure leaves the new database empty and the old file
 * untouched. Then the old file is renamed to {@code muchat.mv.db.migrated}, which keeps
 * it for the operator and stops the next start from copying it again.
 *
 * <p>Threads: the thread that opens the database, before the stores are used.
 */
final class H2Migration {
    static final String H2_FILE = "muchat.mv.db";
    static final String MIGRATED_SUFFIX = ".migrated";
    private static final Logger log = LoggerFactory.getLogger(H2Migration.class);
    private static final int ROWS_PER_BATCH = 1000;

    private H2Migration() {
    }

    /** Copies an H2 database in {@code dataDir}, if there is one, into {@code sqlite}. */
    static void runIfPresent(Path dataDir, DataSource sqlite) {
        Path h2File = dataDir.resolve(H2_FILE);
        if (!Files.exists(h2File)) {
            return;
        }
        long rows;
        try (Connection from = DriverManager.getConnection(
                Database.h2Url(dataDir) + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;ACCESS_MODE_DATA=r", "sa", "");
             Connection to = sqlite.getConnection()) {
            if (!isEmpty(to)) {
                throw new StoreException(dataDir + " holds both " + Database.SQLITE_FILE + " and the older "
                        + H2_FILE + ": move " + H2_FILE + " away, or move " + Database.SQLITE_FILE
                        + " away to copy it again");
            }
            rows = copy(from, to);
        } catch (SQLException e) {
            throw new StoreException("cannot move " + h2File + " into " + Database.SQLITE_FILE
                    + " (start the previous version on it, or move it away): " + Jdbc.describe(e), e);
        }
        Path renamed = h2File.resolveSibling(H2_FILE + MIGRATED_SUFFIX);
        try {
            Files.move(h2File, renamed);
        } catch (IOException e) {
            throw new StoreException("copied " + h2File + " but cannot rename it to " + renamed
                    + ": rename or remove it before the next start", e);
        }
        log.info("moved {} rows from {} into {}, and renamed the old file to {}",
                rows, h2File, Database.SQLITE_FILE, renamed.getFileName());
    }

    private static boolean isEmpty(Connection sqlite) throws SQLException {
        for (String table : Schema.tables()) {
            try (PreparedStatement ps = sqlite.prepareStatement("SELECT 1 FROM " + table + " LIMIT 1");
                 ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Copies every table of chat.sql that the H2 database has, in one transaction; returns the rows. */
    private static long copy(Connection from, Connection to) throws SQLException {
        to.setAutoCommit(false);
        try {
            long rows = 0;
            for (String table : Schema.tables()) {
                if (exists(from, table)) {
                    rows += copyTable(from, to, table);
                }
            }
            to.commit();
            return rows;
        } catch (SQLException | RuntimeException e) {
            to.rollback();
            throw e;
        } finally {
            to.setAutoCommit(true);
        }
    }

    /** An older version may not have made every table yet. */
    private static boolean exists(Connection h2, String table) throws SQLException {
        DatabaseMetaData meta = h2.getMetaData();
        try (ResultSet rs = meta.getTables(null, null, table, new String[] {"TABLE"})) {
            return rs.next();
        }
    }

    private static long copyTable(Connection from, Connection to, String table) throws SQLException {
        long rows = 0;
        try (PreparedStatement select = from.prepareStatement("SELECT * FROM " + table);
             ResultSet rs = select.executeQuery()) {
            ResultSetMetaData columns = rs.getMetaData();
            int width = columns.getColumnCount();
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= width; i++) {
                names.add(columns.getColumnName(i).toLowerCase());
            }
            String insert = "INSERT INTO " + table + " (" + String.join(", ", names) + ") VALUES ("
                    + String.join(", ", Collections.nCopies(width, "?")) + ")";
            try (PreparedStatement ps = to.prepareStatement(insert)) {
                while (rs.next()) {
                    for (int i = 1; i <= width; i++) {
                        ps.setObject(i, rs.getObject(i));
                    }
                    ps.addBatch();
                    if (++rows % ROWS_PER_BATCH == 0) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
        }
        return rows;
    }
}
