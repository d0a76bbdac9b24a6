package muchat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data directory of the previous version, whose embedded database was H2, opened by this one. */
class H2MigrationTest {
    @TempDir
    Path dataDir;

    @Test
    void anH2DataDirectoryIsMovedIntoSqliteOnceWithEverythingInIt() throws Exception {
        long a;
        long b;
        long c;
        long group;
        long lastMid;
        try (Database old = Database.h2(dataDir)) {
            a = old.users().register("alice", "secret-a").orElseThrow();
            b = old.users().register("bob", "secret-b").orElseThrow();
            c = old.users().register("carol", "secret-c").orElseThrow();
            old.friends().add(a, b);
            group = old.groups().create(a, "team", "the team", true);
            old.groups().join(group, c, 2000, true);
            store(old, NewMessage.direct(a, b, "hello bob", 1, "m1"));
            store(old, NewMessage.direct(b, a, "hi alice", 2, null));
            lastMid = store(old, NewMessage.group(a, group, "hello team", 3, "m2", List.of(c))).mid();
            old.messages().ack(b, "default", 1);
        }

        try (Database db = Database.embedded(dataDir)) {
            assertEquals(new User(b, "bob"), db.users().authenticateByName("bob", "secret-b").orElseThrow());
            assertEquals(List.of(new User(b, "bob")), db.friends().friendsOf(a));
            assertEquals(List.of(new User(a, "alice")), db.friends().friendsOf(b));
            assertEquals(List.of(a, c), db.groups().memberIds(group));
            assertEquals("team", db.groups().groupsOf(c).get(0).name());
            assertEquals(List.of("hello bob"), texts(db.messages().inboxAfter(b, 0, 10)));
            assertEquals(List.of("hello team"), texts(db.messages().inboxAfter(c, 0, 10)));
            assertEquals(Map.of(a, 1L, b, 1L, c, 1L), db.messages().lastSeqs(List.of(a, b, c)));
            assertEquals(1, db.messages().loginPosition(b, "default"));
            assertEquals(2, db.messages().history(a, b, null, 10).size());

            Stored next = store(db, NewMessage.direct(a, b, "after the move", 4, null));
            assertEquals(Map.of(b, 2L), next.deliveries(), "seqs go on");
            assertTrue(next.mid() > lastMid, "mids go on");
            assertTrue(store(db, NewMessage.direct(a, b, "hello bob", 1, "m1")).duplicate(), "cmids are kept");
        }
        assertFalse(Files.exists(dataDir.resolve(H2Migration.H2_FILE)));
        assertTrue(Files.exists(dataDir.resolve(H2Migration.H2_FILE + H2Migration.MIGRATED_SUFFIX)));

        try (Database again = Database.embedded(dataDir)) {
            assertEquals(List.of("hello bob", "after the move"), texts(again.messages().inboxAfter(b, 0, 10)));
        }
    }

    @Test
    void anH2DatabaseBesideASqliteOneWithDataIsRefusedWithWhatToDo() throws Exception {
        try (Database db = Database.embedded(dataDir)) {
            db.users().register("new", "secret-n").orElseThrow();
        }
        try (Database old = Database.h2(dataDir)) {
            old.users().register("old", "secret-o").orElseThrow();
        }

        StoreException refused = assertThrows(StoreException.class, () -> Database.embedded(dataDir));
        assertTrue(refused.getMessage().contains("move muchat.mv.db away"), refused.getMessage());
        assertTrue(Files.exists(dataDir.resolve(H2Migration.H2_FILE)), "the old file is left alone");
    }

    private static Stored store(Database db, NewMessage message) throws Exception {
        return db.messages().submit(message).get(10, TimeUnit.SECONDS);
    }

    private static List<String> texts(List<InboxEntry> entries) {
        return entries.stream().map(InboxEntry::text).toList();
    }
}
