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
 * The few JDBC idioms the stores repeat: run one prepared statement, or run some work
 * in one transaction. Every SQLException leaves here as a {@link StoreException}.
 */
final class Jdbc {
    private Jdbc() {
    }

    /** Work inside a transaction; it may throw SQLException to roll everything back. */
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Reads one row of a result set. */
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    static <T> List<T> list(DataSource ds, String sql, Row<T> row, Object... params) {
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

    static <T> Optional<T> first(DataSource ds, String sql, Row<T> row, Object... params) {
        List<T> rows = list(ds, sql, row, params);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** Runs one INSERT, UPDATE or DELETE in its own transaction; returns the row count. */
    static int update(DataSource ds, String sql, Object... params) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    static <T> T inTransaction(DataSource ds, Work<T> work) {
        try {
            return inTransactionOrThrow(ds, work);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** Like {@link #inTransaction} but hands the SQLException to callers that inspect it. */
    static <T> T inTransactionOrThrow(DataSource ds, Work<T> work) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
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
