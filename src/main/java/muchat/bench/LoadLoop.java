package muchat.bench;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One selector thread driving a share of the {@link LoadUser}s: connects and logs them
 * in a few at a time (logins cost the server a password hash each), then keeps their
 * chats going until {@link Progress#finish()}, then acknowledges what arrived and closes.
 *
 * <p>Threads: {@link #run} is the loop thread and owns every user added with {@link #add}
 * (add them all before starting it); {@link #stats} is read by others after it ends.
 * In legacy mode both users of a pair must be on the same loop: a user's next message
 * waits for its partner to receive the last one.
 */
final class LoadLoop implements Runnable {
    private static final int READ_CHUNK = 64 * 1024;
    private static final int LOGINS_AT_ONCE = 32;
    private static final long HOUSEKEEPING_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long HEARTBEAT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long CLOSE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final DateTimeFormatter CLASSIC_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    final Progress progress;
    final LoopStats stats = new LoopStats();
    final boolean openLoop;
    final int window;
    /** Classic protocol: no SEND_ACK, no RECV_ACK, no heartbeat. */
    final boolean legacy;
    /** Open loop: nanoseconds between two messages of one user. */
    final long interval;
    private final long nanosPerMessage;
    private final Selector selector;
    private final List<LoadUser> users = new ArrayList<>();
    private final ArrayDeque<LoadUser> waiting = new ArrayDeque<>();
    private final Set<LoadUser> toFlush = new LinkedHashSet<>();
    private int loggingIn;
    private boolean paced;
    /** The {@code time} field of classic chats, refreshed at each housekeeping pass. */
    String classicTime = CLASSIC_TIME.format(LocalDateTime.now());

    LoadLoop(LoadOptions options, Progress progress) throws IOException {
        this.progress = progress;
        this.openLoop = options.openLoop();
        this.window = options.window();
        this.legacy = options.legacy();
        this.nanosPerMessage = openLoop ? 1_000_000_000L / options.rate() : 0;
        this.interval = openLoop ? options.users() * 1_000_000_000L / options.rate() : 0;
        this.selector = Selector.open();
    }

    void add(LoadUser user) {
        users.add(user);
        waiting.add(user);
    }

    @Override
    public void run() {
        try {
            startLogins();
            long tick = openLoop ? 1 : 5;
            long nextHousekeeping = System.nanoTime();
            while (!progress.finished()) {
                selector.select(tick);
                long now = System.nanoTime();
                handleReady(now);
                pace();
                for (LoadUser user : users) {
                    user.sendChats(now);
                }
                if (now >= nextHousekeeping) {
                    classicTime = CLASSIC_TIME.format(LocalDateTime.now());
                    users.forEach(u -> u.housekeeping(now, HEARTBEAT_NANOS));
                    nextHousekeeping = now + HOUSEKEEPING_NANOS;
                }
                flush();
            }
            closeAll();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Open loop: user i's first message is due i messages after the start, spreading the users evenly. */
    private void pace() {
        Progress.Schedule schedule = progress.schedule();
        if (!openLoop || paced || schedule == null) {
            return;
        }
        for (LoadUser user : users) {
            user.nextDue = schedule.start() + user.index * nanosPerMessage;
        }
        paced = true;
    }

    private void startLogins() {
        while (loggingIn < LOGINS_AT_ONCE && !waiting.isEmpty()) {
            LoadUser user = waiting.poll();
            loggingIn++;
            try {
                user.channel = SocketChannel.open();
                user.channel.configureBlocking(false);
                user.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                boolean connected = user.channel.connect(user.target);
                user.key = user.channel.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, user);
                user.state = LoadUser.State.CONNECTING;
                if (connected) {
                    user.connected(System.nanoTime());
                }
            } catch (IOException e) {
                failed(user, "cannot connect " + user.name + " to " + user.target + ": " + e.getMessage());
            }
        }
    }

    private void handleReady(long now) {
        for (SelectionKey key : selector.selectedKeys()) {
            LoadUser user = (LoadUser) key.attachment();
            if (!key.isValid()) {
                continue;
            }
            try {
                if (key.isConnectable()) {
                    user.channel.finishConnect();
                    key.interestOps(SelectionKey.OP_READ);
                    user.connected(now);
                }
                if (key.isValid() && key.isReadable()) {
                    read(user);
                }
                if (key.isValid() && key.isWritable()) {
                    write(user);
                }
            } catch (IOException e) {
                lost(user);
            }
        }
        selector.selectedKeys().clear();
    }

    private void read(LoadUser user) throws IOException {
        user.in.ensureWritable(READ_CHUNK);
        if (user.in.readFrom(user.channel) < 0) {
            lost(user);
            return;
        }
        user.decodeInput();
    }

    /** Called by a user that has bytes to send; they go out after this round of events. */
    void wantsFlush(LoadUser user) {
        toFlush.add(user);
    }

    private void flush() {
        for (LoadUser user : toFlush) {
            if (user.state == LoadUser.State.CLOSED || !user.channel.isConnected()) {
                continue;
            }
            try {
                write(user);
            } catch (IOException e) {
                lost(user);
            }
        }
        toFlush.clear();
    }

    private void write(LoadUser user) throws IOException {
        user.out.writeTo(user.channel);
        int ops = user.out.isReadable() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
        if (user.key.interestOps() != ops) {
            user.key.interestOps(ops);
        }
    }

    /** A user finished its login and sync. */
    void ready(LoadUser user) {
        loggingIn--;
        progress.loggedIn.incrementAndGet();
        startLogins();
    }

    /** A user could not log in: the run cannot pair it, so the main thread gives up. */
    void failed(LoadUser user, String reason) {
        System.err.println("chatload: " + reason);
        if (user.state != LoadUser.State.CLOSED) {
            loggingIn--;
            close(user);
            progress.failed.incrementAndGet();
        }
        startLogins();
    }

    /** The server closed a connection or it broke. */
    void lost(LoadUser user) {
        if (user.state == LoadUser.State.CLOSED) {
            return;
        }
        if (user.state != LoadUser.State.READY) {
            failed(user, "connection of " + user.name + " closed during login");
            return;
        }
        stats.disconnects++;
        System.err.println("chatload: connection of " + user.name + " closed by the server");
        close(user);
    }

    private void close(LoadUser user) {
        user.state = LoadUser.State.CLOSED;
        try {
            if (user.channel != null) {
                user.channel.close();
            }
        } catch (IOException ignored) {
            // Closing a socket we are done with: nothing left to save.
        }
    }

    /** Sends the last RECV_ACKs, gives them a moment to leave, and closes every connection. */
    private void closeAll() throws IOException {
        long now = System.nanoTime();
        users.forEach(u -> u.housekeeping(now, Long.MAX_VALUE));
        flush();
        long deadline = now + CLOSE_GRACE_NANOS;
        while (System.nanoTime() < deadline && users.stream().anyMatch(u -> u.state != LoadUser.State.CLOSED && u.out.isReadable())) {
            selector.select(10);
            handleReady(System.nanoTime());
        }
        users.forEach(this::close);
        selector.close();
    }
}
