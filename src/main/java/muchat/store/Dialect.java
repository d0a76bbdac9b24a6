package muchat.store;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Everything the stores say differently to each database, in one place: the statements
 * that differ, how chat.sql (written for MySQL) reads in the database's words, and how a
 * commit is made durable. Every other statement of the stores is the same text on all
 * three.
 *
 * <p>Threads: immutable.
 */
enum Dialect {
    /** MariaDB or MySQL: chat.sql's own dialect. */
    MYSQL,
    /** H2 in MySQL mode, an embedded database kept for comparison with SQLite. */
    H2,
    /** SQLite: the embedded database. */
    SQLITE;

    /** One upsert that adds n to each uid's cursor, written as {@code head tuple, tuple ... tail}. */
    record MultiRow(String head, String tuple, String tail) {
    }

    private static final MultiRow ADVANCE_CURSORS = new MultiRow(
            "INSERT INTO inbox_cursor (uid, last_seq) VALUES ", "(?, ?)",
            " ON DUPLICATE KEY UPDATE last_seq = last_seq + VALUES(last_seq)");
    /**
     * H2's MySQL mode runs ON DUPLICATE KEY UPDATE by failing the insert of each existing
     * row (an exception with its stack trace) and parsing an UPDATE for it, a cost paid
     * for every recipient of a group message. Standard MERGE updates each row in place.
     */
    private static final MultiRow ADVANCE_CURSORS_H2 = new MultiRow(
            "MERGE INTO inbox_cursor c USING (VALUES ", "(CAST(? AS BIGINT), CAST(? AS BIGINT))",
            ") AS v(uid, n) ON c.uid = v.uid"
                    + " WHEN MATCHED THEN UPDATE SET last_seq = c.last_seq + v.n"
                    + " WHEN NOT MATCHED THEN INSERT (uid, last_seq) VALUES (v.uid, v.n)");
    private static final MultiRow ADVANCE_CURSORS_SQLITE = new MultiRow(
            "INSERT INTO inbox_cursor (uid, last_seq) VALUES ", "(?, ?)",
            " ON CONFLICT (uid) DO UPDATE SET last_seq = last_seq + excluded.last_seq");

    private static final String SAVE_ACK = "INSERT INTO inbox_ack (uid, acked) VALUES (?, ?)"
            + " ON DUPLICATE KEY UPDATE acked = GREATEST(acked, VALUES(acked))";
    private static final String SAVE_ACK_SQLITE = "INSERT INTO inbox_ack (uid, acked) VALUES (?, ?)"
            + " ON CONFLICT (uid) DO UPDATE SET acked = MAX(acked, excluded.acked)";

    private static final String SAVE_DEVICE_ACK = "INSERT INTO device_ack (uid, device, acked) VALUES (?, ?, ?)"
            + " ON DUPLICATE KEY UPDATE acked = GREATEST(acked, VALUES(acked))";
    private static final String SAVE_DEVICE_ACK_SQLITE = "INSERT INTO device_ack (uid, device, acked) VALUES (?, ?, ?)"
            + " ON CONFLICT (uid, device) DO UPDATE SET acked = MAX(acked, excluded.acked)";

    private static final String LOCK_GROUP = "SELECT id FROM chat_groups WHERE id = ? FOR UPDATE";
    private static final String LOCK_GROUP_SQLITE = "UPDATE chat_groups SET id = id WHERE id = ?";

    /** H2's SQLState (its error code) once the database has closed itself after a failure. */
    private static final String H2_DATABASE_IS_CLOSED = "90098";

    private static final String BODY_LENGTH = "SELECT CHARACTER_MAXIMUM_LENGTH FROM INFORMATION_SCHEMA.COLUMNS"
            + " WHERE TABLE_SCHEMA = SCHEMA() AND TABLE_NAME = 'messages' AND COLUMN_NAME = 'body'";

    /**
     * A statement that makes a commit durable, run after each write transaction, or null
     * when COMMIT already is: InnoDB flushes its log at commit (see
     * {@link ServerDurability}), SQLite with synchronous=FULL fsyncs its WAL at commit.
     * H2 writes commits to its file in the background, without fsync; CHECKPOINT SYNC
     * writes them now and fsyncs (see {@link Checkpointer}).
     */
    String afterCommit() {
        return this == H2 ? "CHECKPOINT SYNC" : null;
    }

    /**
     * Whether the driver runs several statements sent as one text (Connector/J with
     * allowMultiQueries), so that {@link Jdbc#run} needs one round trip. The embedded
     * databases run in this process: nothing to save.
     */
    boolean multiStatements() {
        return this == MYSQL;
    }

    /** An INSERT that skips rows whose key is taken: {@code insertIgnore() + " INTO t ..."}. */
    String insertIgnore() {
        return this == SQLITE ? "INSERT OR IGNORE" : "INSERT IGNORE";
    }

    /** See {@link BatchWriter}: adds each count to a cursor, inserting a missing cursor row. */
    MultiRow advanceCursors() {
        return switch (this) {
            case MYSQL -> ADVANCE_CURSORS;
            case H2 -> ADVANCE_CURSORS_H2;
            case SQLITE -> ADVANCE_CURSORS_SQLITE;
        };
    }

    /** Raises a user's acked seq to the given one, never lowers it. */
    String saveAck() {
        return this == SQLITE ? SAVE_ACK_SQLITE : SAVE_ACK;
    }

    /** Raises one device's ack (uid, device, seq); never lowers it. */
    String saveDeviceAck() {
        return this == SQLITE ? SAVE_DEVICE_ACK_SQLITE : SAVE_DEVICE_ACK;
    }

    /**
     * Whether a JDBC batch of INSERTs returns every generated key. The SQLite driver
     * returns none after a batch, so there each message is inserted with RETURNING.
     */
    boolean batchReturnsKeys() {
        return this != SQLITE;
    }

    /**
     * The query for the declared length of messages.body, for {@link Schema} to widen an
     * old column; null where lengths are not declared in the column type (SQLite: see
     * {@link #schema}).
     */
    String bodyLengthQuery() {
        return this == SQLITE ? null : BODY_LENGTH;
    }

    /** One CREATE TABLE of chat.sql as the statements that make it here. */
    List<String> schema(String createTable) {
        return this == SQLITE ? SqliteTable.of(createTable) : List.of(createTable);
    }

    /** The ALTER TABLE that adds one column of chat.sql (a line of its CREATE TABLE) to {@code table}. */
    String addColumn(String table, String column) {
        return "ALTER TABLE " + table + " ADD COLUMN " + (this == SQLITE ? SqliteTable.column(column) : column);
    }

    /**
     * Takes the lock on a group's row that serializes the changes to its members and
     * requests (see {@link GroupStore}), as the first statement of the transaction; it
     * finds (rows, or an update count of 1) whether there is such a group. SQLite has no
     * row locks: an UPDATE that changes nothing takes the database's write lock, at once
     * rather than on a later write, which could find that another writer has committed
     * since this transaction's first read.
     */
    String lockGroup() {
        return this == SQLITE ? LOCK_GROUP_SQLITE : LOCK_GROUP;
    }

    /**
     * The SQLState of {@code e}. The SQLite driver sets none; its result codes are mapped
     * to the classes the stores look at (see {@link Jdbc#isDuplicateKey},
     * {@link Jdbc#isUnavailable}): a CHECK (SQLite's stand-in for a column's length, see
     * {@link #schema}) as MySQL's too-long value (22001), another constraint as 23000, a
     * busy or broken database as a rolled-back transaction (40001) or a lost connection
     * (08006). H2's own code for a database that closed itself after a failure is a lost
     * connection too.
     */
    static String sqlState(SQLException e) {
        if (H2_DATABASE_IS_CLOSED.equals(e.getSQLState())) {
            return "08006";
        }
        if (!(e instanceof SQLiteException sqlite)) {
            return e.getSQLState();
        }
        SQLiteErrorCode code = sqlite.getResultCode();
        if (code == SQLiteErrorCode.SQLITE_CONSTRAINT_CHECK) {
            return "22001";
        }
        if (code == SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT) {
            // A transaction that read before it wrote (a batch looking up resent cmids)
            // lost its snapshot to another connection's commit. Not the database failing:
            // the batch is split and written again, in new transactions.
            return null;
        }
        return switch (code.code & 0xff) {
            case 19 -> "23000"; // SQLITE_CONSTRAINT
            case 5, 6 -> "40001"; // SQLITE_BUSY, SQLITE_LOCKED
            case 10, 11, 13, 14, 26 -> "08006"; // SQLITE_IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB
            default -> null;
        };
    }

    /**
     * chat.sql's CREATE TABLE in SQLite's words, line by line (chat.sql keeps one column
     * or key per line):
     * <ul>
     * <li>{@code BIGINT NOT NULL AUTO_INCREMENT} becomes {@code INTEGER PRIMARY KEY}, an
     *     alias of the rowid, which numbers new rows max + 1 (messages are never deleted);</li>
     * <li>a table with another primary key is made WITHOUT ROWID: its rows live in the key's
     *     own tree instead of a second one;</li>
     * <li>{@code [UNIQUE] KEY name (columns)} becomes a CREATE INDEX IF NOT EXISTS. A
     *     unique index over a nullable column leaves out the rows where it is NULL (a
     *     partial index): NULLs never clash in a unique key and no lookup by equality finds
     *     them, so the index means the same, and a row without the value (a classic
     *     client's message has no cmid) costs no index page at all;</li>
     * <li>SQLite keeps any length of text in a VARCHAR(n): a CHECK on length() (which counts
     *     characters, as MariaDB does) refuses what MariaDB would;</li>
     * <li>the table options (character set, collation) go: SQLite keeps UTF-8 and compares
     *     text bytewise, as utf8mb4_bin does.</li>
     * </ul>
     */
    private static final class SqliteTable {
        private static final Pattern HEAD = Pattern.compile("CREATE TABLE IF NOT EXISTS (\\w+) \\(");
        private static final Pattern AUTO_INCREMENT = Pattern.compile("(\\w+)\\s+BIGINT\\s+NOT NULL AUTO_INCREMENT");
        private static final Pattern PRIMARY_KEY = Pattern.compile("PRIMARY KEY \\((.+)\\)");
        private static final Pattern INDEX = Pattern.compile("(UNIQUE )?KEY (\\w+) (\\(.+\\))");
        private static final Pattern VARCHAR = Pattern.compile("(\\w+)\\s+VARCHAR\\((\\d+)\\).*");

        static List<String> of(String createTable) {
            String[] lines = createTable.strip().split("\n");
            Matcher head = HEAD.matcher(lines[0].strip());
            if (!head.matches() || !lines[lines.length - 1].strip().startsWith(")")) {
                throw new IllegalStateException("chat.sql: not one column per line: " + lines[0]);
            }
            String table = head.group(1);
            String rowid = null;
            boolean withoutRowid = false;
            List<String> columns = new ArrayList<>();
            List<String> nullable = new ArrayList<>();
            List<String> indexes = new ArrayList<>();
            for (int i = 1; i < lines.length - 1; i++) {
                String item = lines[i].strip().replaceAll(",$", "");
                Matcher m;
                if ((m = AUTO_INCREMENT.matcher(item)).matches()) {
                    rowid = m.group(1);
                    columns.add(rowid + " INTEGER PRIMARY KEY");
                } else if ((m = PRIMARY_KEY.matcher(item)).matches()) {
                    if (!m.group(1).equals(rowid)) {
                        columns.add(item);
                        withoutRowid = true;
                    }
                } else if ((m = INDEX.matcher(item)).matches()) {
                    indexes.add(index(table, m.group(1) != null, m.group(2), m.group(3), nullable));
                } else {
                    if (!item.contains("NOT NULL")) {
                        nullable.add(item.split("\\s+")[0]);
                    }
                    columns.add(column(item));
                }
            }
            List<String> out = new ArrayList<>();
            out.add("CREATE TABLE IF NOT EXISTS " + table + " (\n  " + String.join(",\n  ", columns) + "\n)"
                    + (withoutRowid ? " WITHOUT ROWID" : ""));
            out.addAll(indexes);
            return out;
        }

        /** One column (no key) as SQLite declares it. */
        static String column(String item) {
            Matcher m = VARCHAR.matcher(item);
            return m.matches() ? item + " CHECK (length(" + m.group(1) + ") <= " + m.group(2) + ")" : item;
        }

        /** One CREATE INDEX; a unique one leaves out rows with NULL in any of its {@code nullable} columns. */
        private static String index(String table, boolean unique, String name, String columns, List<String> nullable) {
            String sql = "CREATE " + (unique ? "UNIQUE " : "") + "INDEX IF NOT EXISTS " + name + " ON " + table + " "
                    + columns;
            if (!unique) {
                return sql;
            }
            List<String> present = new ArrayList<>();
            for (String column : columns.substring(1, columns.length() - 1).split(",")) {
                if (nullable.contains(column.strip())) {
                    present.add(column.strip() + " IS NOT NULL");
                }
            }
            return present.isEmpty() ? sql : sql + " WHERE " + String.join(" AND ", present);
        }
    }
}
