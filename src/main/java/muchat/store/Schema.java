package muchat.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the tables from {@code chat.sql} (packaged at the root of the class path), in
 * the database's words (see {@link Dialect#schema}). Every statement there is
 * idempotent, so this runs on every start. CREATE TABLE IF NOT EXISTS leaves an existing
 * table as it is, so what chat.sql has gained since a database was made is added here,
 * once, with one log line each: a table, a column (chat.sql gives every later column a
 * default), and the width of a column that has grown.
 */
final class Schema {
    private static final Logger log = LoggerFactory.getLogger(Schema.class);
    private static final String RESOURCE = "/chat.sql";
    private static final Pattern TABLE = Pattern.compile("CREATE TABLE IF NOT EXISTS (\\w+)");
    /** A line of a CREATE TABLE that declares a key rather than a column. */
    private static final Pattern KEY = Pattern.compile("(PRIMARY |UNIQUE )?KEY .*");
    /** messages.body as chat.sql declares it; databases made before hold VARCHAR(4000). */
    static final int BODY_LENGTH = 8000;
    private static final String WIDEN_BODY =
            "ALTER TABLE messages MODIFY body VARCHAR(" + BODY_LENGTH + ") NOT NULL";

    private Schema() {
    }

    static void create(DataSource ds, Dialect dialect) {
        try (Connection c = ds.getConnection()) {
            Map<String, Set<String>> existing = columns(c);
            for (String statement : statements(read())) {
                String table = tableOf(statement);
                if (existing.containsKey(table)) {
                    addMissingColumns(c, dialect, table, statement, existing.get(table));
                } else if (!existing.isEmpty()) {
                    log.info("adding table {}", table);
                }
                for (String sql : dialect.schema(statement)) {
                    execute(c, sql);
                }
                if (!existing.isEmpty() && !existing.containsKey(table)) {
                    for (String sql : backfill(table, dialect)) {
                        execute(c, sql);
                    }
                }
            }
            if (dialect.bodyLengthQuery() != null) {
                widenBody(c, dialect.bodyLengthQuery());
            }
        } catch (SQLException e) {
            throw new StoreException("cannot create the schema: " + e.getMessage(), e);
        }
    }

    /**
     * Adds the columns of {@code createTable} that the existing {@code table} lacks. Two
     * instances of a cluster may start at once: a column the other one added meanwhile
     * is not an error.
     */
    private static void addMissingColumns(Connection c, Dialect dialect, String table, String createTable,
            Set<String> present) throws SQLException {
        for (String column : columnsOf(createTable)) {
            String name = column.split("\\s+")[0];
            if (present.contains(name)) {
                continue;
            }
            try {
                execute(c, dialect.addColumn(table, column));
                log.info("adding column {}.{}", table, name);
            } catch (SQLException e) {
                if (!columns(c).getOrDefault(table, Set.of()).contains(name)) {
                    throw e;
                }
            }
        }
    }

    /**
     * What a table added to a database that holds data already starts with. The
     * conversations of an existing database start read up to their last message: its
     * users saw them without read positions, so nothing of theirs is new.
     */
    private static List<String> backfill(String table, Dialect dialect) {
        if (!table.equals("conversations")) {
            return List.of();
        }
        String insert = dialect.insertIgnore() + " INTO conversations (uid, peer, group_id, read_mid) ";
        return List.of(
                insert + "SELECT to_user, sender, 0, MAX(mid) FROM messages WHERE to_user IS NOT NULL AND kind = 0"
                        + " GROUP BY to_user, sender",
                insert + "SELECT sender, to_user, 0, 0 FROM messages WHERE to_user IS NOT NULL AND kind = 0"
                        + " GROUP BY sender, to_user",
                insert + "SELECT gm.uid, 0, gm.group_id, COALESCE(MAX(m.mid), 0) FROM group_members gm"
                        + " LEFT JOIN messages m ON m.to_group = gm.group_id GROUP BY gm.uid, gm.group_id");
    }

    /** The column definitions of one CREATE TABLE of chat.sql (one per line), without keys. */
    private static List<String> columnsOf(String createTable) {
        String[] lines = createTable.strip().split("\n");
        List<String> out = new ArrayList<>();
        for (int i = 1; i < lines.length - 1; i++) {
            String item = lines[i].strip().replaceAll(",$", "");
            if (!KEY.matcher(item).matches()) {
                out.add(item);
            }
        }
        return out;
    }

    /** The columns of each table of this database, by table; names in lower case. */
    private static Map<String, Set<String>> columns(Connection c) throws SQLException {
        Map<String, Set<String>> out = new HashMap<>();
        try (ResultSet rs = c.getMetaData().getColumns(c.getCatalog(), c.getSchema(), "%", "%")) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT), t -> new HashSet<>())
                        .add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        }
    }

    /**
     * Widens messages.body of an older database, where H2 refused 4000 emoji. Looked up
     * first rather than altered on every start: an ALTER TABLE waits for every
     * transaction on the table, and other instances of a cluster keep writing.
     */
    private static void widenBody(Connection c, String bodyLengthQuery) throws SQLException {
        long length;
        try (PreparedStatement ps = c.prepareStatement(bodyLengthQuery); ResultSet rs = ps.executeQuery()) {
            length = rs.next() ? rs.getLong(1) : BODY_LENGTH;
        }
        if (length < BODY_LENGTH) {
            log.info("widening messages.body from VARCHAR({}) to VARCHAR({})", length, BODY_LENGTH);
            execute(c, WIDEN_BODY);
        }
    }

    /** The tables chat.sql creates, in its order. */
    static List<String> tables() {
        List<String> tables = new ArrayList<>();
        for (String statement : statements(read())) {
            tables.add(tableOf(statement));
        }
        return tables;
    }

    private static String tableOf(String createTable) {
        Matcher m = TABLE.matcher(createTable);
        if (!m.find()) {
            throw new IllegalStateException(RESOURCE + " holds a statement that is no CREATE TABLE");
        }
        return m.group(1);
    }

    /** Splits the script at semicolons that end a line, dropping whole-line comments. */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                out.add(current.substring(0, current.lastIndexOf(";")));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            throw new IllegalStateException(RESOURCE + " ends without a semicolon");
        }
        return out;
    }

    private static String read() {
        try (InputStream in = Schema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
