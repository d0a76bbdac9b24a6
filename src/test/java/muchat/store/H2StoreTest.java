package muchat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on H2, the embedded database before SQLite, in a fresh directory per class. */
class H2StoreTest extends StoreContract {
    /** The messages table as chat.sql created it when body was VARCHAR(4000). */
    private static final String OLD_MESSAGES_TABLE = """
            CREATE TABLE IF NOT EXISTS messages (
              mid      BIGINT        NOT NULL AUTO_INCREMENT,
              sender   BIGINT        NOT NULL,
              to_user  BIGINT        NULL,
              to_group BIGINT        NULL,
              body     VARCHAR(4000) NOT NULL,
              ts       BIGINT        NOT NULL,
              cmid     VARCHAR(64)   NULL,
              PRIMARY KEY (mid),
              UNIQUE KEY uq_messages_sender_cmid (sender, cmid),
              KEY idx_messages_direct (sender, to_user, mid),
              KEY idx_messages_group (to_group, mid)
            ) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin""";

    @TempDir
    static Path dataDir;

    @Override
    Database open() {
        return Database.h2(dataDir);
    }

    @Test
    void aRefusedMessageLeavesItsTextInNoFileBesideTheDatabase() throws Exception {
        long a = newUser();
        assertThrows(ExecutionException.class, () ->
                db.messages().submit(NewMessage.direct(a, a, REFUSED_TEXT, 1, null)).get(10, TimeUnit.SECONDS));

        try (Stream<Path> files = Files.list(dataDir)) {
            for (Path file : files.filter(f -> !f.getFileName().toString().endsWith(".mv.db")).toList()) {
                assertFalse(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(REFUSED_MARK), file + " holds the message's text");
            }
        }
    }

    @Test
    void aDataDirectoryMadeWhenBodiesHeld4000Utf16UnitsTakes4000EmojiAfterTheUpgrade(@TempDir Path old)
            throws Exception {
        try (Connection c = DriverManager.getConnection(
                "jdbc:h2:file:" + old.resolve("muchat") + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE", "sa", "");
             PreparedStatement create = c.prepareStatement(OLD_MESSAGES_TABLE)) {
            create.execute();
        }
        String emoji = "\uD83D\uDE00".repeat(4000);

        try (Database upgraded = Database.h2(old)) {
            long a = upgraded.users().register("old-a", "secret-1").orElseThrow();
            long b = upgraded.users().register("old-b", "secret-1").orElseThrow();
            upgraded.messages().submit(NewMessage.direct(a, b, emoji, 1, null)).get(10, TimeUnit.SECONDS);

            assertEquals(List.of(emoji), upgraded.messages().inboxAfter(b, 0, 10).stream().map(InboxEntry::text).toList());
        }
    }
}
