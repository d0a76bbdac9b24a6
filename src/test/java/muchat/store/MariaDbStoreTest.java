package muchat.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract on the MariaDB at 127.0.0.1:3306 (root, no password), in a fresh
 * database per class. Fails, rather than skips, when MariaDB is not there:
 * scripts/test.sh starts it.
 */
class MariaDbStoreTest extends StoreContract {
    private static final String SERVER = "jdbc:mysql://127.0.0.1:3306/";
    private static String database;

    @BeforeAll
    static void createDatabase() throws SQLException {
        database = "muchat_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        run("CREATE DATABASE " + database + " CHARACTER SET utf8mb4");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        run("DROP DATABASE IF EXISTS " + database);
    }

    @Override
    Database open() {
        return Database.mysql(SERVER + database, "root", "");
    }

    private static void run(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, "root", "");
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        }
    }
}
