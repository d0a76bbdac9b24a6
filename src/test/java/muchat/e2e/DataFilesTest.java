package muchat.e2e;

import static muchat.e2e.ChatServerTest.login;
import static muchat.e2e.ChatServerTest.register;
import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.ONE_CHAT;
import static muchat.protocol.MsgType.SEND_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import muchat.it.MuchatProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded database's directory and files are the server's user's alone (0700 and
 * 0600): they hold every message and password hash. A real server process over a data
 * directory of the test's making.
 */
class DataFilesTest {

    @Test
    void aNewDataDirectoryAndItsDatabaseFilesAreReadableByTheServersUserOnly(@TempDir Path parent) throws Exception {
        Path data = parent.resolve("data");
        int port = RestartTest.freePort();
        try (MuchatProcess server = launch("datafiles-new", data, port)) {
            chatOnce(port);
            assertEquals("rwx------", mode(data));
            List<Path> files = databaseFiles(data);
            assertTrue(files.contains(data.resolve("muchat.db-wal")), "the write-ahead log is open: " + files);
            for (Path file : files) {
                assertEquals("rw-------", mode(file), file.toString());
            }
            assertEquals(0, warnings(server), "nothing was open to tighten");
        }
    }

    @Test
    void aDataDirectoryOpenToOthersIsTightenedWithOneWarning(@TempDir Path parent) throws Exception {
        Path data = Files.createDirectory(parent.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path db = Files.createFile(data.resolve("muchat.db"));
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
        int port = RestartTest.freePort();
        try (MuchatProcess server = launch("datafiles-loose", data, port)) {
            chatOnce(port);
            assertEquals("rwx------", mode(data));
            for (Path file : databaseFiles(data)) {
                assertEquals("rw-------", mode(file), file.toString());
            }
            assertEquals(1, warnings(server));
        }
    }

    private static MuchatProcess launch(String name, Path data, int port) throws IOException {
        Files.deleteIfExists(Path.of("target", "it-logs", name + ".log"));
        return MuchatProcess.launch(name, List.of("--host", "127.0.0.1", "--port", String.valueOf(port),
                "--data", data.toString()));
    }

    /** A message stored, so that the database has written its log (muchat.db-wal) too. */
    private static void chatOnce(int port) throws IOException {
        try (WireClient c = WireClient.nativeClient(new InetSocketAddress("127.0.0.1", port))) {
            long id = register(c, "owner", "secret1");
            login(c, id, "secret1");
            c.send(ONE_CHAT, obj("toid", id, "msg", "a note to self", "cmid", "n1"));
            c.await(SEND_ACK);
        }
    }

    private static List<Path> databaseFiles(Path data) throws IOException {
        try (Stream<Path> files = Files.list(data)) {
            return files.filter(f -> f.getFileName().toString().startsWith("muchat.db")).toList();
        }
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static long warnings(MuchatProcess server) throws IOException {
        return Files.readAllLines(server.logFile(), StandardCharsets.UTF_8).stream()
                .filter(line -> line.contains("open to other users")).count();
    }
}
