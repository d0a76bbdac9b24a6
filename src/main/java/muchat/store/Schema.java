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
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the tables from {@code chat.sql} (packaged at the root of the class path), in
 * the database's words (see {@link Dialect#schema}). Every statement there is
 * idempotent, so this runs on every start. CREATE TABLE IF NOT EXISTS leaves an existing
 * table as it is, so a column that has grown since is widened here, once.
 */
final class Schema {
    private static final Logger log = LoggerFactory.getLogger(Schema.class);
    private static final String RESOURCE = "/chat.sql";
    private static final Pattern TABLE = Pattern.compile("CREATE TABLE IF NOT EXISTS (\\w+)");
    /** messages.body as chat.sql declares it; databases made before hold VARCHAR(4000). */
    static final int BODY_LENGTH = 8000;
    private static final String WIDEN_BODY =
            "ALTER TABLE messages MODIFY body VARCHAR(" + BODY_LENGTH + ") NOT NULL";

    private Schema() {
    }

    static void create(DataSource ds, Dialect dialect) {
        try (Connection c = ds.getConnection()) {
            for (String statement : statements(read())) {
                for (String sql : dialect.schema(statement)) {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.execute();
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
            try (PreparedStatement ps = c.prepareStatement(WIDEN_BODY)) {
                ps.execute();
            }
        }
    }

    /** The tables chat.sql creates, in its order. */
    static List<String> tables() {
        List<String> tables = new ArrayList<>();
        for (String statement : statements(read())) {
            Matcher m = TABLE.matcher(statement);
            if (m.find()) {
                tables.add(m.group(1));
            }
        }
        return tables;
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
