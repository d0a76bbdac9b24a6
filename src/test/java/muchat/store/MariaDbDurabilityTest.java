package muchat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import muchat.it.MariaDbProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What the operator reads at start-up when MariaDB's settings allow it to lose
 * acknowledged messages. A private MariaDB, because the settings are global.
 */
class MariaDbDurabilityTest {
    private static MariaDbProcess mariadb;

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void startMariaDb() {
        mariadb = MariaDbProcess.launch();
    }

    @AfterAll
    static void stopMariaDb() {
        mariadb.close();
    }

    @BeforeEach
    void capture() {
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void release() {
        root.detachAppender(logs);
    }

    @Test
    void aLogFlushedOnlyOnceASecondIsOneWarningAtStartUp() {
        mariadb.execute("SET GLOBAL innodb_flush_log_at_trx_commit = 2");
        try {
            open();
        } finally {
            mariadb.execute("SET GLOBAL innodb_flush_log_at_trx_commit = 1");
        }

        List<String> warnings = durabilityWarnings();
        assertEquals(1, warnings.size(), "warnings: " + warnings);
        assertTrue(warnings.get(0).contains("innodb_flush_log_at_trx_commit=2"), warnings.get(0));
    }

    @Test
    void durableSettingsAreNotWarnedAbout() {
        open();
        assertEquals(List.of(), durabilityWarnings());
    }

    @Test
    void anUnsyncedBinaryLogIsNamedInTheWarning() {
        List<String> risks = ServerDurability.risks(1, true, 0);
        assertEquals(1, risks.size());
        assertTrue(risks.get(0).contains("sync_binlog=0"), risks.get(0));
        assertEquals(List.of(), ServerDurability.risks(1, false, 0), "no binary log, nothing to sync");
        assertEquals(List.of(), ServerDurability.risks(1, true, 1));
    }

    private void open() {
        try (Database db = Database.mysql(mariadb.jdbcUrl(), "root", "")) {
            db.users().find(1);
        }
    }

    private List<String> durabilityWarnings() {
        return logs.list.stream()
                .filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("lose acknowledged"))
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }
}
