package muchat.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The stores' access to the pool: the few JDBC idioms they repeat (run one prepared
 * statement, run some work in one transaction, send several statements together), and
 * what makes a commit durable. Every SQLException from {@link #list}, {@link #first},
 * {@link #update} and {@link #inTransaction} leaves as a {@link StoreException}.
 *
 * <p>Threads: any thread; a {@link Kept} connection belongs to one thread at a time.
 */
final class Jdbc {
    /**
     * The most characters of SQL text and parameters sent in one round trip by
     * {@link #run}: far below the smallest default max_allowed_packet (4 MiB on MySQL 5.7).
     */
    private static final int TRIP_CHARS = 1 << 20;
    /** What a bound number may add to the text, for {@link #TRIP_CHARS}. */
    private static final int NUMBER_CHARS = 24;
    private final DataSource ds;
    private final Dialect dialect;
    /** See {@link Dialect#afterCommit}. */
    private final String afterCommit;
    /** See {@link Dialect#multiStatements}. */
    private final boolean multiStatements;

    Jdbc(DataSource ds, Dialect dialect) {
        this.ds = ds;
        this.dialect = dialect;
        this.afterCommit = dialect.afterCommit();
        this.multiStatements = dialect.multiStatements();
    }

    /** What the stores say differently to this database. */
    Dialect dialect() {
        return dialect;
    }

    /** One SQL statement and its parameters, for {@link #run}. */
    record Sql(String text, List<Object> params) {
    }

    /** Work inside a transaction; it may throw SQLException to roll everything back. */
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Reads one row of a result set. */
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    <T> List<T> list(String sql, Row<T> row, Object... params) {
        try (Connection c = ds.getConnection()) {
            return list(c, sql, row, params);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** Runs one query on {@code c}, for work inside {@link #inTransaction}. */
    static <T> List<T> list(Connection c, String sql, Row<T> row, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            List<T> out = new ArrayList<>();
            readAll(ps.executeQuery(), row, out);
            return out;
        }
    }

    /** Runs one INSERT, UPDATE or DELETE on {@code c}, for work inside {@link #inTransaction}; returns the row count. */
    static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        }
    }

    /** Maps every row of {@code rs} into {@code out}, then closes it. */
    private static <T> void readAll(ResultSet rs, Row<T> row, List<T> out) throws SQLException {
        try (rs) {
            while (rs.next()) {
                out.add(row.map(rs));
            }
        }
    }

    <T> Optional<T> first(String sql, Row<T> row, Object... params) {
        List<T> rows = list(sql, row, params);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** Runs one INSERT, UPDATE or DELETE in its own transaction; returns the row count. */
    int update(String sql, Object... params) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            int rows = ps.executeUpdate();
            makeDurable(c);
            return rows;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    <T> T inTransaction(Work<T> work) {
        try {
            return inTransactionOrThrow(work);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** Like {@link #inTransaction} but hands the SQLException to callers that inspect it. */
    <T> T inTransactionOrThrow(Work<T> work) throws SQLException {
        return inTransactionOrThrow(work, true);
    }

    /**
     * Runs the work in one transaction and commits it; {@code durable} false leaves the
     * commit visible but perhaps not yet on disk, for a caller that calls
     * {@link #makeDurable()} later (see {@link #commitIsDurable}).
     */
    <T> T inTransactionOrThrow(Work<T> work, boolean durable) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                if (durable) {
                    makeDurable(c);
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            }
        }
    }

    /**
     * Runs the statements in order and returns the rows of those that are SELECTs, read
     * by {@code row} (null when there are none), in order. On MySQL/MariaDB they travel
     * together, as one text, so a group commit's statements cost one round trip instead
     * of one each (the embedded databases run in this process and take them one by one). The server stops
     * at the first statement that fails, and that failure is thrown.
     */
    <T> List<T> run(Connection c, List<Sql> statements, Row<T> row) throws SQLException {
        List<T> rows = new ArrayList<>();
        for (int from = 0, to; from < statements.size(); from = to) {
            to = multiStatements ? tripEnd(statements, from) : from + 1;
            List<Sql> trip = statements.subList(from, to);
            try (PreparedStatement ps = c.prepareStatement(
                    String.join(";\n", trip.stream().map(Sql::text).toList()))) {
                int index = 0;
                for (Sql sql : trip) {
                    for (Object param : sql.params()) {
                        ps.setObject(++index, param);
                    }
                }
                boolean isRows = ps.execute();
                for (int i = 0; i < trip.size(); i++, isRows = ps.getMoreResults()) {
                    if (isRows) {
                        readAll(ps.getResultSet(), row, rows);
                    }
                }
            }
        }
        return rows;
    }

    /** Runs the statements and commits, the COMMIT in the same round trip where {@link #run} joins them. */
    void commitWith(Connection c, List<Sql> statements) throws SQLException {
        if (multiStatements) {
            List<Sql> withCommit = new ArrayList<>(statements);
            withCommit.add(new Sql("COMMIT", List.of()));
            run(c, withCommit, null);
        } else {
            run(c, statements, null);
            c.commit();
        }
    }

    /** The end (exclusive) of the round trip starting at statement {@code from}: at least one statement. */
    private static int tripEnd(List<Sql> statements, int from) {
        int to = from;
        long chars = 0;
        while (to < statements.size()) {
            Sql next = statements.get(to);
            chars += next.text().length();
            for (Object param : next.params()) {
                // A string may double when escaped, plus its quotes.
                chars += param instanceof String text ? 2L * text.length() + 2 : NUMBER_CHARS;
            }
            if (chars > TRIP_CHARS && to > from) {
                break;
            }
            to++;
        }
        return to;
    }

    /** A new {@link Kept} connection, taken from the pool when first used. */
    Kept keep() {
        return new Kept();
    }

    /**
     * The connection one writer thread keeps from one transaction to the next, in
     * manual-commit mode: a group commit then costs no pool checkout and none of the two
     * autocommit round trips a pooled transaction pays. The work passed to
     * {@link Kept#run} ends its transaction itself, with {@link Jdbc#commitWith}. After a failure the
     * transaction is rolled back and the connection goes back to the pool, which drops it
     * if it is broken; the next transaction takes a fresh one.
     *
     * <p>Threads: one thread at a time.
     */
    final class Kept implements AutoCloseable {
        /**
         * Idle longer than this, the connection is checked before use, as the pool checks
         * those it lends: the server may have closed it (wait_timeout) or restarted.
         */
        private static final long CHECK_AFTER_IDLE_NANOS = 1_000_000_000L;
        private static final int CHECK_TIMEOUT_SECONDS = 2;

        private Connection c;
        private long lastUsed;

        private Kept() {
        }

        /** Runs work that commits its own transaction on this connection. */
        <T> T run(Work<T> work) throws SQLException {
            try {
                if (c != null && System.nanoTime() - lastUsed > CHECK_AFTER_IDLE_NANOS
                        && !c.isValid(CHECK_TIMEOUT_SECONDS)) {
                    close();
                }
                if (c == null) {
                    c = ds.getConnection();
                    c.setAutoCommit(false);
                }
                lastUsed = System.nanoTime();
                return work.run(c);
            } catch (SQLException | RuntimeException e) {
                if (c != null) {
                    rollbackQuietly(c, e);
                    close();
                }
                throw e;
            }
        }

        @Override
        public void close() {
            if (c == null) {
                return;
            }
            try {
                c.close();
            } catch (SQLException e) {
                // The pool discards what it cannot close; nothing else holds this connection.
            }
            c = null;
        }
    }

    /** True when COMMIT alone reaches the disk (InnoDB, SQLite); false for H2, which needs {@link #makeDurable()}. */
    boolean commitIsDurable() {
        return afterCommit == null;
    }

    /** Makes every commit so far durable, on a connection of its own. */
    void makeDurable() throws SQLException {
        try (Connection c = ds.getConnection()) {
            makeDurable(c);
        }
    }

    /**
     * H2 writes commits to its file in the background (up to WRITE_DELAY later), without
     * fsync; {@code afterCommit} (CHECKPOINT SYNC) writes them now and fsyncs, so neither a
     * killed process nor a power cut loses anything acknowledged.
     */
    private void makeDurable(Connection c) throws SQLException {
        if (afterCommit != null) {
            try (PreparedStatement ps = c.prepareStatement(afterCommit)) {
                ps.execute();
            }
        }
    }

    static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
    }

    /** A nullable BIGINT column as a Long. */
    static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    /** True for a unique or primary key violation (SQLSTATE class 23) on every driver. */
    static boolean isDuplicateKey(SQLException e) {
        String state = Dialect.sqlState(e);
        return e instanceof SQLIntegrityConstraintViolationException || (state != null && state.startsWith("23"));
    }

    static StoreException failed(SQLException e) {
        return error("database error: ", e);
    }

    /**
     * A StoreException that says {@code what} failed and why ({@link #describe}). It
     * keeps the SQLException as its cause unless that may quote a value: a stack trace
     * in a log must not carry a message's text either.
     */
    static StoreException error(String what, Exception e) {
        String why = describe(e);
        return isRefusedValue(e) ? new StoreException(what + why) : new StoreException(what + why, e);
    }

    /**
     * What went wrong, for a log line or a {@link StoreException}: the first line of the
     * message (H2 appends the SQL on further lines), except for a refused value (SQLState
     * class 22, data, or 23, constraint), where both drivers may quote the value, and so
     * a message's text: then only the codes.
     */
    static String describe(Exception e) {
        if (isRefusedValue(e)) {
            int code = e instanceof SQLException sql ? sql.getErrorCode() : 0;
            return "the database refused a value (SQLState " + sqlState(e) + ", error " + code + ")";
        }
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /**
     * True when the failure is the database's as a whole rather than one statement's:
     * no connection, a timeout, a transaction the server rolled back (deadlock, lock
     * wait), or the embedded database's file failing. Retrying the same work at once would fail
     * the same way, and each try may wait a connection timeout.
     */
    static boolean isUnavailable(Exception e) {
        if (e instanceof SQLTransientException || e instanceof SQLNonTransientConnectionException
                || e instanceof SQLRecoverableException) {
            return true;
        }
        String state = sqlState(e);
        return state != null && (state.startsWith("08") || state.startsWith("40") || state.startsWith("HYT"));
    }

    private static boolean isRefusedValue(Exception e) {
        String state = sqlState(e);
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /**
     * The SQLState of the exception or, for a batch or a wrapper, of the first cause that
     * has one (see {@link Dialect#sqlState}).
     */
    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && Dialect.sqlState(sql) != null) {
                return Dialect.sqlState(sql);
            }
        }
        return null;
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException rollbackFailure) {
            // The connection is likely dead; the pool discards it. Keep the first error.
            cause.addSuppressed(rollbackFailure);
        }
    }
}
