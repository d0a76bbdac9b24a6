package muchat.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded database's directory and files, readable by the server's own user only:
 * they hold every message and every password hash. The directory is made 0700; the
 * database file is made 0600 before the database opens it, and SQLite gives its -wal and
 * -shm files the database file's mode. A directory or file that is open to the group or
 * to others already (made by an earlier version, or by hand) is tightened, with one
 * warning line. On a file system without POSIX permissions nothing is changed.
 *
 * <p>Threads: called once at start-up, before the database opens.
 */
final class PrivateFiles {
    private static final Logger log = LoggerFactory.getLogger(PrivateFiles.class);
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    /** The files of the embedded databases: SQLite's muchat.db, -wal, -shm, and H2's muchat.*.db. */
    private static final String PREFIX = "muchat.";

    private PrivateFiles() {
    }

    /**
     * Makes {@code dir} (0700) and {@code dir/file} (0600) unless they exist, then tightens
     * the directory and every database file in it.
     */
    static void prepare(Path dir, String file) throws StoreException {
        try {
            if (!isPosix(dir)) {
                Files.createDirectories(dir);
                return;
            }
            createDirectory(dir);
            createFile(dir.resolve(file));
            tighten(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean isPosix(Path dir) {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing != null && Files.getFileAttributeView(existing, PosixFileAttributeView.class) != null;
    }

    private static void createDirectory(Path dir) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            Files.createDirectory(dir, attribute(DIRECTORY));
        } catch (FileAlreadyExistsException e) {
            // made before: its mode is checked below
        }
    }

    private static void createFile(Path file) throws IOException {
        try {
            Files.createFile(file, attribute(FILE));
        } catch (FileAlreadyExistsException e) {
            // made before: its mode is checked below
        }
    }

    /** Tightens the directory and its database files; one warning names each one tightened. */
    private static void tighten(Path dir) throws IOException {
        List<String> loose = new ArrayList<>();
        tighten(dir, DIRECTORY, loose);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.getFileName().toString().startsWith(PREFIX) && Files.isRegularFile(file)) {
                    tighten(file, FILE, loose);
                }
            }
        }
        if (!loose.isEmpty()) {
            log.warn("the data directory was open to other users; made it {} and its database files {}: {}",
                    PosixFilePermissions.toString(DIRECTORY), PosixFilePermissions.toString(FILE),
                    String.join(", ", loose));
        }
    }

    private static void tighten(Path path, Set<PosixFilePermission> wanted, List<String> loose) throws IOException {
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(path);
        if (!wanted.containsAll(now)) {
            Files.setPosixFilePermissions(path, wanted);
            loose.add(path + " was " + PosixFilePermissions.toString(now));
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(Set<PosixFilePermission> permissions) {
        return PosixFilePermissions.asFileAttribute(permissions);
    }
}
