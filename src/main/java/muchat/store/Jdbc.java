package muchat.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The stores' access to the pool: the few JDBC idioms they repeat (run one prepared
 * statement, run some work in one transaction), and what makes a commit durable.
 * Every SQLException from {@link #list}, {@link #first}, {@link #update} and
 * {@link #inTransaction} leaves as a {@link StoreException}.
 *
 * <p>Threads: any thread.
 */
final class Jdbc {
    private final DataSource ds;
    private final String afterCommit;

    /**
     * @param afterCommit a statement that makes a commit durable, run after each write
     *     transaction (H2's CHECKPOINT), or null when COMMIT already is (InnoDB)
     */
    Jdbc(DataSource ds, String afterCommit) {
        this.ds = ds;
        this.afterCommit = afterCommit;
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
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(row.map(rs));
                }
                return out;
            }
        } catch (SQLException e) {
            throw failed(e);
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

    /** True when COMMIT alone reaches the disk (InnoDB); false for H2, which needs {@link #makeDurable()}. */
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
     * H2 writes commits to its file in the background (up to WRITE_DELAY later); a
     * CHECKPOINT writes them now, so a killed process loses nothing acknowledged. It
     * costs one file write per transaction, far less than WRITE_DELAY=0, which writes on
     * every row change.
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

    /** True for a unique or primary key violation (SQLSTATE class 23) on both drivers. */
    static boolean isDuplicateKey(SQLException e) {
        return e instanceof SQLIntegrityConstraintViolationException
                || (e.getSQLState() != null && e.getSQLState().startsWith("23"));
    }

    static StoreException failed(SQLException e) {
        return new StoreException("database error: " + e.getMessage(), e);
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
