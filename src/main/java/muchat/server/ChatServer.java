package muchat.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import muchat.net.EventLoopGroup;
import muchat.net.TcpConnection.ReadPause;
import muchat.net.TcpServer;
import muchat.net.TlsContexts;
import muchat.service.ChatService;
import muchat.service.OtherInstances;
import muchat.service.Strands;
import muchat.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One muchat instance: the reactor, the chat service, the database and (in cluster mode)
 * Redis, wired together; and their orderly shutdown.
 *
 * <p>Threads: {@link #start()} and {@link #close()} from the owner's thread.
 */
public final class ChatServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChatServer.class);

    /** How long clients get to read our last words and close, at a graceful stop. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(3);
    /**
     * A client over its output limit is not read from, so its output grows only by the
     * replies to requests read before: this many limits' worth means it does not read at all.
     */
    private static final long CLOSE_AT_OUTPUT_LIMITS = 16;

    private final Config config;
    private final Database database;
    private final OtherInstances cluster;
    private final ChatService service;
    private final TcpServer tcp;
    private boolean closed;

    public ChatServer(Config config) {
        this.config = config;
        this.database = config.embeddedDatabase()
                ? Database.embedded(config.dataDir(), config.hashMemoryKib())
                : Database.mysql(config.dbUrl(), config.dbUser(), config.dbPassword(), config.hashMemoryKib());
        this.cluster = ClusterFactory.create(config);
        this.service = new ChatService(database, cluster, new Strands(config.logicThreads()),
                new ChatService.Limits(config.rateLimit(), config.maxPending(), config.maxFrame(), config.loginTimeout(),
                        config.maxGroupMembers(), config.maxDevices(), config.recallWindow(), config.openFriends()),
                new ChatService.AccountLimits(config.loginBackoff(), config.throttleAddresses(),
                        config.maxRegistrationsPerAddress()));
        this.tcp = new TcpServer("muchat", new InetSocketAddress(config.host(), config.port()), config.ioThreads(),
                EventLoopGroup.Placement.LEAST_CONNECTIONS);
        tcp.setConnectionCallback(service::onConnection);
        tcp.setMessageCallback(service::onMessage);
        tcp.setHighWaterMarkCallback((connection, queued) -> {
            log.warn("closed {} reason=slow-reader queued={}", connection, queued);
            connection.forceClose();
        }, CLOSE_AT_OUTPUT_LIMITS * config.outputLimit());
        tcp.setOutputLimit(config.outputLimit());
        tcp.setMemoryBudget(config.memoryBudget());
        tcp.setIdleTimeout(config.idleTimeout());
        tcp.setMaxConnectionsPerAddress(config.maxConnectionsPerAddress());
        // Chats waiting for the group commit: at the mark, no connection is read from
        // until the store has caught up, so the backlog (and memory) stays bounded.
        database.messages().setBacklogListener(config.commitBacklog(), over -> {
            if (over) {
                tcp.pauseAll(ReadPause.SERVER_BUSY);
            } else {
                tcp.resumeAll(ReadPause.SERVER_BUSY);
            }
        });
    }

    /**
     * Starts listening (TLS only, with --tls-cert) and logs the one line that says the
     * server is ready. A certificate or key that cannot be used is an IOException.
     */
    public void start() throws IOException {
        if (config.tls()) {
            tcp.setTls(TlsContexts.server(Path.of(config.tlsCert()), Path.of(config.tlsKey())));
        }
        tcp.start();
        log.info("muchat ready on {} tls={} instance={} database={} cluster={} io-threads={} logic-threads={}",
                tcp.address(), config.tls() ? "on" : "off", cluster.instanceId(),
                config.embeddedDatabase() ? config.dataDir() : config.dbUrl(),
                ClusterFactory.describe(config), config.ioThreads(), config.logicThreads());
    }

    public InetSocketAddress address() {
        return tcp.address();
    }

    /** Bytes all connections hold in their buffers now (what --memory-budget limits). */
    public long bufferedBytes() {
        return tcp.bufferedBytes();
    }

    /**
     * The graceful stop: stops accepting and reading; runs every request already read and
     * commits the chats among them, so each gets its SEND_ACK (never a refusal); marks this
     * instance's users offline; writes what is queued and closes the connections; then
     * Redis and the database.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("shutting down: {} connections, {} users online here", tcp.connectionCount(), service.onlineHere());
        tcp.stopAccepting();
        tcp.stopReading();
        try {
            service.finishRequests();
            database.messages().close();
            service.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tcp.closeGracefully(CLOSE_GRACE);
        tcp.stop();
        cluster.close();
        database.close();
        log.info("stopped");
    }
}
