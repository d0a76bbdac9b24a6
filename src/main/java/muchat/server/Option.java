package muchat.server;

/**
 * Every setting of {@code muchat server}: its flag, its environment variable and its
 * default. A flag wins over the environment, the environment over the default.
 */
enum Option {
    HOST("--host", "MUCHAT_HOST", "127.0.0.1", "address to listen on (0.0.0.0: every interface)"),
    PORT("--port", "MUCHAT_PORT", "6000", "TCP port to listen on"),
    DATA("--data", "MUCHAT_DATA", "./data", "directory of the embedded database (when no --db-url)"),
    DB_URL("--db-url", "MUCHAT_DB_URL", "", "JDBC URL of MySQL/MariaDB, e.g. jdbc:mysql://127.0.0.1:3306/muchat"),
    DB_USER("--db-user", "MUCHAT_DB_USER", "root", "database user (with --db-url)"),
    DB_PASSWORD("--db-password", "MUCHAT_DB_PASSWORD", "", "database password (with --db-url)"),
    REDIS("--redis", "MUCHAT_REDIS", "",
            "Redis as HOST:PORT or redis://[[user]:password@]host:port[/db]; turns on cluster mode"),
    INSTANCE("--instance", "MUCHAT_INSTANCE", "", "name of this instance in the cluster (default host:port)"),
    IO_THREADS("--io-threads", "MUCHAT_IO_THREADS", "", "IO event loops (default: number of cores)"),
    LOGIC_THREADS("--logic-threads", "MUCHAT_LOGIC_THREADS", "16", "logic strands running handlers"),
    IDLE_TIMEOUT("--idle-timeout", "MUCHAT_IDLE_TIMEOUT", "90",
            "seconds without a complete frame before a native connection is closed"),
    LOGIN_TIMEOUT("--login-timeout", "MUCHAT_LOGIN_TIMEOUT", "30",
            "seconds a connection may stay without a logged-in user before it is closed"),
    MAX_CONNECTIONS_PER_ADDRESS("--max-connections-per-address", "MUCHAT_MAX_CONNECTIONS_PER_ADDRESS", "1000",
            "connections one client address may have open (0: no limit)"),
    MAX_FRAME("--max-frame", "MUCHAT_MAX_FRAME", "65536", "largest frame accepted, in bytes"),
    RATE_LIMIT("--rate-limit", "MUCHAT_RATE_LIMIT", "500",
            "requests per second one connection may send (all but LOGIN, REG, HEARTBEAT, RECV_ACK, LOGINOUT); faster ones are read later"),
    MAX_PENDING("--max-pending", "MUCHAT_MAX_PENDING", "16",
            "requests of one connection read but not yet handled (a chat: until stored); at this many it is not read from"),
    OUTPUT_LIMIT("--output-limit", "MUCHAT_OUTPUT_LIMIT", "1024",
            "KiB queued for one client: over it, it is not read from nor pushed to; at 16 times it, closed"),
    MEMORY_BUDGET("--memory-budget", "MUCHAT_MEMORY_BUDGET", "256",
            "MiB all connections' buffers may hold together; at it, no connection is read from"),
    COMMIT_BACKLOG("--commit-backlog", "MUCHAT_COMMIT_BACKLOG", "50000",
            "messages waiting for the group commit at which the server stops reading until half are written"),
    TLS_CERT("--tls-cert", "MUCHAT_TLS_CERT", "", "PEM certificate chain; with --tls-key the port speaks TLS only"),
    TLS_KEY("--tls-key", "MUCHAT_TLS_KEY", "", "PEM private key (PKCS#8) of --tls-cert"),
    LOGIN_BACKOFF("--login-backoff", "MUCHAT_LOGIN_BACKOFF", "1000",
            "ms an account or address waits after 5 failed logins, doubling with each further failure"),
    THROTTLE_ADDRESSES("--throttle-addresses", "MUCHAT_THROTTLE_ADDRESSES", "yes",
            "count failed logins per client address too (no: behind a proxy every client shares one)"),
    MAX_REGISTRATIONS_PER_ADDRESS("--max-registrations-per-address", "MUCHAT_MAX_REGISTRATIONS_PER_ADDRESS", "20",
            "accounts one client address may register per hour (0: no limit)"),
    HASH_MEMORY("--hash-memory", "MUCHAT_HASH_MEMORY", "19456", "KiB of memory per Argon2id password hash"),
    MAX_GROUP_MEMBERS("--max-group-members", "MUCHAT_MAX_GROUP_MEMBERS", "2000", "members one group may have"),
    MAX_DEVICES("--max-devices", "MUCHAT_MAX_DEVICES", "5",
            "devices one user may be logged in on at once (errno 16 for one more)"),
    RECALL_WINDOW("--recall-window", "MUCHAT_RECALL_WINDOW", "120",
            "seconds after sending in which a message may be recalled (0: never)"),
    OPEN_FRIENDS("--open-friends", "MUCHAT_OPEN_FRIENDS", "no",
            "yes: ADD_FRIEND makes a friendship at once, as the classic server did; no: it asks the other user");

    final String flag;
    final String env;
    final String defaultValue;
    final String help;

    Option(String flag, String env, String defaultValue, String help) {
        this.flag = flag;
        this.env = env;
        this.defaultValue = defaultValue;
        this.help = help;
    }

    static Option ofFlag(String flag) {
        for (Option option : values()) {
            if (option.flag.equals(flag)) {
                return option;
            }
        }
        return null;
    }
}
