package muchat.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import muchat.cluster.RedisAddress;

/**
 * The server's settings, read from flags and environment variables (see {@link Option}).
 * {@code outputLimit} and {@code memoryBudget} are in bytes.
 */
public record Config(String host, int port, Path dataDir, String dbUrl, String dbUser, String dbPassword,
                     String redis, String instanceId, int ioThreads, int logicThreads, Duration idleTimeout,
                     Duration loginTimeout, int maxConnectionsPerAddress, int maxFrame, int rateLimit, int maxPending,
                     long outputLimit, long memoryBudget, int commitBacklog, String tlsCert, String tlsKey,
                     Duration loginBackoff, boolean throttleAddresses, int maxRegistrationsPerAddress,
                     int hashMemoryKib, int maxGroupMembers, int maxDevices, Duration recallWindow,
                     boolean openFriends) {

    /** Parses {@code args} over {@code env}; throws IllegalArgumentException with a clear sentence. */
    public static Config parse(String[] args, Map<String, String> env) {
        Map<Option, String> values = new EnumMap<>(Option.class);
        for (Option option : Option.values()) {
            values.put(option, env.getOrDefault(option.env, option.defaultValue));
        }
        for (int i = 0; i < args.length; i++) {
            Option option = Option.ofFlag(args[i]);
            if (option == null) {
                throw new IllegalArgumentException("unknown option " + args[i] + " (see --help)");
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            values.put(option, args[++i]);
        }
        int port = number(values, Option.PORT, 0, 65535);
        String host = values.get(Option.HOST);
        String instance = values.get(Option.INSTANCE).isEmpty() ? host + ":" + port : values.get(Option.INSTANCE);
        int cores = Runtime.getRuntime().availableProcessors();
        int ioThreads = values.get(Option.IO_THREADS).isEmpty() ? cores : number(values, Option.IO_THREADS, 1, 256);
        if (!values.get(Option.REDIS).isEmpty()) {
            RedisAddress.parse(values.get(Option.REDIS)); // malformed: a usage error, before anything starts
        }
        if (values.get(Option.TLS_CERT).isEmpty() != values.get(Option.TLS_KEY).isEmpty()) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        return new Config(host, port, Path.of(values.get(Option.DATA)), values.get(Option.DB_URL),
                values.get(Option.DB_USER), values.get(Option.DB_PASSWORD), values.get(Option.REDIS), instance,
                ioThreads, number(values, Option.LOGIC_THREADS, 1, 1024),
                Duration.ofSeconds(number(values, Option.IDLE_TIMEOUT, 1, 86_400)),
                Duration.ofSeconds(number(values, Option.LOGIN_TIMEOUT, 1, 86_400)),
                number(values, Option.MAX_CONNECTIONS_PER_ADDRESS, 0, 10_000_000),
                number(values, Option.MAX_FRAME, 1024, 64 * 1024 * 1024),
                number(values, Option.RATE_LIMIT, 1, 1_000_000),
                number(values, Option.MAX_PENDING, 1, 100_000),
                number(values, Option.OUTPUT_LIMIT, 16, 1024 * 1024) * 1024L,
                number(values, Option.MEMORY_BUDGET, 16, 1024 * 1024) * 1024L * 1024,
                number(values, Option.COMMIT_BACKLOG, 2, 10_000_000),
                values.get(Option.TLS_CERT), values.get(Option.TLS_KEY),
                Duration.ofMillis(number(values, Option.LOGIN_BACKOFF, 0, 3_600_000)),
                yesNo(values, Option.THROTTLE_ADDRESSES),
                number(values, Option.MAX_REGISTRATIONS_PER_ADDRESS, 0, 1_000_000),
                number(values, Option.HASH_MEMORY, 8, 4 * 1024 * 1024),
                number(values, Option.MAX_GROUP_MEMBERS, 2, 1_000_000),
                number(values, Option.MAX_DEVICES, 1, 100),
                Duration.ofSeconds(number(values, Option.RECALL_WINDOW, 0, 86_400)),
                yesNo(values, Option.OPEN_FRIENDS));
    }

    public boolean embeddedDatabase() {
        return dbUrl.isEmpty();
    }

    public boolean clusterMode() {
        return !redis.isEmpty();
    }

    public boolean tls() {
        return !tlsCert.isEmpty();
    }

    /** The option table for --help. */
    public static String help() {
        StringBuilder text = new StringBuilder("usage: java -jar muchat.jar server [OPTIONS]\n\n");
        for (Option option : Option.values()) {
            text.append(String.format("  %-34s %-38s %s (default: %s)%n", option.flag + " X", option.env, option.help,
                    option.defaultValue.isEmpty() ? "none" : option.defaultValue));
        }
        return text.toString();
    }

    private static boolean yesNo(Map<Option, String> values, Option option) {
        String text = values.get(option).trim();
        if (text.equals("yes")) {
            return true;
        }
        if (text.equals("no")) {
            return false;
        }
        throw new IllegalArgumentException(option.flag + " (" + option.env + ") must be yes or no, got '" + text + "'");
    }

    private static int number(Map<Option, String> values, Option option, int min, int max) {
        String text = values.get(option);
        try {
            int n = Integer.parseInt(text.trim());
            if (n < min || n > max) {
                throw new IllegalArgumentException(option.flag + " must be between " + min + " and " + max
                        + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option.flag + " (" + option.env + ") must be a number, got '" + text + "'");
        }
    }
}
