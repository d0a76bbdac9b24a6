package muchat.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import muchat.store.Database;
import muchat.store.NewMessage;

/**
 * The message store alone under a chat's load, without the network or the service: for
 * choosing the embedded database by what it costs per message.
 *
 * <p>Registers {@code --users} users in a fresh data directory, pairs them (1 with 2,
 * 3 with 4, ...) and lets each send one-to-one messages of {@code --size} ASCII
 * characters to its partner through {@code MessageStore.submit}, one message in flight
 * per user, as chatting users of the closed-loop chat benchmark do: a few submitter
 * threads take the users whose last message was stored and submit their next one. After
 * {@code --warmup} seconds it measures for {@code --seconds}, then stops, closes the
 * database and prints one line, for example
 * <pre>
 * storeload engine=sqlite users=1000 threads=4 size=100 seconds=30.0 stored=... msgs_per_s=... cpu_us_per_msg=... disk_bytes=... disk_bytes_per_msg=...
 * </pre>
 * {@code cpu_us_per_msg} is this process's CPU time in the measured interval per message
 * stored in it (submitters included, a small part); {@code disk_bytes} is the size of
 * every file in the data directory after the close, divided by every message stored
 * (warm-up included) for {@code disk_bytes_per_msg}.
 */
public final class StoreLoad {
    private static final String USAGE = "usage: StoreLoad [--engine sqlite|h2] [--data DIR] [--users N]"
            + " [--threads T] [--size CHARS] [--warmup S] [--seconds S]";

    /** What one run measures; see the class comment. */
    record Options(String engine, Path data, int users, int threads, int size, int warmupSeconds, int seconds) {
        static Options parse(String[] args) {
            Flags flags = Flags.parse(args,
                    List.of("engine", "data", "users", "threads", "size", "warmup", "seconds"), List.of());
            String engine = flags.string("engine", "sqlite");
            if (!engine.equals("sqlite") && !engine.equals("h2")) {
                throw new IllegalArgumentException("--engine is sqlite or h2, got " + engine);
            }
            int users = flags.intAtLeast("users", 1000, 2);
            if (users % 2 != 0) {
                throw new IllegalArgumentException("--users must be even (they chat in pairs), got " + users);
            }
            return new Options(engine, Paths.get(flags.string("data", "target/storeload-" + engine)), users,
                    flags.positiveInt("threads", 4), flags.positiveInt("size", 100),
                    flags.intAtLeast("warmup", 20, 0), flags.positiveInt("seconds", 30));
        }
    }

    private final Options options;
    private final Database db;
    private final long[] uids;
    /** Indexes into uids of the users whose last message is stored: they send next. */
    private final BlockingQueue<Integer> ready = new LinkedBlockingQueue<>();
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final String text;
    private volatile boolean stopping;

    private StoreLoad(Options options, Database db) {
        this.options = options;
        this.db = db;
        this.uids = new long[options.users()];
        this.text = "x".repeat(options.size());
    }

    public static void main(String[] args) throws Exception {
        Options options = Flags.parseOrExit("storeload", USAGE, args, Options::parse);
        if (Files.exists(options.data())) {
            try (Stream<Path> files = Files.list(options.data())) {
                if (files.findAny().isPresent()) {
                    System.err.println("storeload: " + options.data() + " is not empty; give a fresh --data");
                    System.exit(2);
                }
            }
        }
        Database db = options.engine().equals("sqlite")
                ? Database.embedded(options.data()) : Database.h2(options.data());
        StoreLoad load = new StoreLoad(options, db);
        load.register();
        System.out.println(load.run());
    }

    /** Registers the users on all cores: each registration hashes a password. */
    private void register() {
        IntStream.range(0, uids.length).parallel().forEach(i ->
                uids[i] = db.users().register("load" + i, "secret-" + i).orElseThrow());
    }

    private String run() throws InterruptedException, IOException {
        for (int i = 0; i < uids.length; i++) {
            ready.add(i);
        }
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < options.threads(); t++) {
            Thread thread = new Thread(this::submitLoop, "storeload-" + t);
            thread.start();
            submitters.add(thread);
        }
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Thread.sleep(TimeUnit.SECONDS.toMillis(options.warmupSeconds()));
        long cpu0 = os.getProcessCpuTime();
        long stored0 = stored.get();
        long start = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(options.seconds()));
        long cpu1 = os.getProcessCpuTime();
        long stored1 = stored.get();
        double seconds = (System.nanoTime() - start) / 1e9;

        stopping = true;
        for (Thread thread : submitters) {
            thread.interrupt();
            thread.join();
        }
        db.close(); // waits for every submitted message
        long messages = stored.get();
        long disk = directorySize(options.data());
        long measured = stored1 - stored0;
        return String.format(Locale.ROOT, "storeload engine=%s users=%d threads=%d size=%d seconds=%.1f"
                        + " stored=%d msgs_per_s=%.0f cpu_us_per_msg=%.1f total_stored=%d failed=%d"
                        + " disk_bytes=%d disk_bytes_per_msg=%.0f",
                options.engine(), options.users(), options.threads(), options.size(), seconds,
                measured, measured / seconds, (cpu1 - cpu0) / 1e3 / Math.max(1, measured),
                messages, failed.get(), disk, (double) disk / Math.max(1, messages));
    }

    /** One submitter: sends the next message of each user whose previous one is stored. */
    private void submitLoop() {
        while (!stopping) {
            int user;
            try {
                user = ready.take();
            } catch (InterruptedException e) {
                return;
            }
            long from = uids[user];
            long to = uids[user ^ 1];
            long n = sent.incrementAndGet();
            db.messages().submit(NewMessage.direct(from, to, text, System.currentTimeMillis(), "s:" + n))
                    .whenComplete((result, error) -> {
                        (error == null ? stored : failed).incrementAndGet();
                        ready.add(user);
                    });
        }
    }

    private static long directorySize(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            long size = 0;
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                size += Files.size(file);
            }
            return size;
        }
    }
}
