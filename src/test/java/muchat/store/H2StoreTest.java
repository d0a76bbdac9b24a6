package muchat.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded H2 database, in a fresh directory per class. */
class H2StoreTest extends StoreContract {
    @TempDir
    static Path dataDir;

    @Override
    Database open() {
        return Database.embedded(dataDir);
    }
}
