package muchat.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import muchat.codec.FrameError;
import muchat.codec.FrameSink;
import muchat.codec.TlvCodec;
import muchat.net.Buffer;
import muchat.net.TlsContexts;
import muchat.protocol.Errno;
import muchat.protocol.Heartbeat;
import muchat.protocol.Login;
import muchat.protocol.LoginAck;
import muchat.protocol.Message;
import muchat.protocol.Reg;

/**
 * The terminal client: {@code java -jar muchat.jar client [--tls] [--tls-ca FILE] [--device NAME] HOST PORT},
 * logged in as one device of the user (docs/protocol.md section 2; {@code default} unless
 * named). Speaks native frames over a blocking socket, TLS with {@code --tls} (the server's
 * certificate must be trusted, by {@code --tls-ca} or the JDK's trust store, and name
 * HOST); reads commands line by line from stdin, so a script can drive it through a
 * pipe (end of input quits).
 *
 * <p>Threads: the console thread ({@link #run}) reads input and sends commands; one
 * reader thread reads frames and reconnects with backoff when the connection drops;
 * one timer thread sends heartbeats. Protocol state lives in {@link ClientSession}.
 */
public final class ChatClient {
    /** Frames from the server may be large: a history page holds up to 100 long messages. */
    private static final int MAX_FRAME = 16 << 20;
    private static final long REPLY_TIMEOUT_MS = 10_000;
    private static final long QUIT_GRACE_MS = 5_000;
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final String USAGE = """
            usage: client [--tls] [--tls-ca FILE] [--device NAME] HOST PORT
              --tls          speak TLS; the server's certificate must name HOST
              --tls-ca FILE  trust the CA certificates in this PEM file (implies --tls);
                             without it, the JDK's default trust store
              --device NAME  log in as this device of the user (default: default)""";

    /** How the client paces itself; tests shorten the intervals. */
    public record Timing(long firstBackoffMs, long maxBackoffMs, long heartbeatMs) {
        public static final Timing DEFAULT = new Timing(500, 10_000, 30_000);
    }

    private final InetSocketAddress server;
    /** Null: plaintext. */
    private final SSLContext tls;
    private final BufferedReader in;
    private final PrintStream out;
    private final Timing timing;
    private final String device;
    private final TlvCodec encoder = new TlvCodec(MAX_FRAME);
    private final ClientSession session;
    private final CountDownLatch quitting = new CountDownLatch(1);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "client-heartbeat");
        t.setDaemon(true);
        return t;
    });

    private final Object sendLock = new Object();
    private Socket socket;
    private OutputStream socketOut;
    private volatile long lastSendNanos = System.nanoTime();

    public ChatClient(InetSocketAddress server, BufferedReader in, PrintStream out, Timing timing) {
        this(server, null, in, out, timing, Login.DEFAULT_DEVICE);
    }

    /** A client that logs in as {@code device} of the user. */
    public ChatClient(InetSocketAddress server, BufferedReader in, PrintStream out, Timing timing, String device) {
        this(server, null, in, out, timing, device);
    }

    /** A client that speaks TLS with {@code tls} (see {@link TlsContexts#client}), or plaintext when null. */
    public ChatClient(InetSocketAddress server, SSLContext tls, BufferedReader in, PrintStream out, Timing timing) {
        this(server, tls, in, out, timing, Login.DEFAULT_DEVICE);
    }

    /** A client as {@code device} of the user, over TLS with {@code tls} or plaintext when null. */
    public ChatClient(InetSocketAddress server, SSLContext tls, BufferedReader in, PrintStream out, Timing timing,
                      String device) {
        this.server = server;
        this.tls = tls;
        this.in = in;
        this.out = out;
        this.timing = timing;
        this.device = device;
        this.session = new ClientSession(this::send, out::println);
    }

    public static void main(String[] args) throws Exception {
        String device = Login.DEFAULT_DEVICE;
        boolean useTls = false;
        Path ca = null;
        int i = 0;
        for (; i < args.length && args[i].startsWith("--"); i++) {
            if (args[i].equals("--tls")) {
                useTls = true;
            } else if (args[i].equals("--tls-ca") && i + 1 < args.length) {
                useTls = true;
                ca = Path.of(args[++i]);
            } else if (args[i].equals("--device") && i + 1 < args.length) {
                device = args[++i];
            } else {
                exitWithUsage();
            }
        }
        if (args.length - i != 2) {
            exitWithUsage();
        }
        SSLContext tls = null;
        if (useTls) {
            try {
                tls = TlsContexts.client(ca);
            } catch (IOException e) {
                System.err.println("client: " + e.getMessage());
                System.exit(1);
            }
        }
        InetSocketAddress server = new InetSocketAddress(args[i], Integer.parseInt(args[i + 1]));
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.exit(new ChatClient(server, tls, stdin, stdout, Timing.DEFAULT, device).run());
    }

    private static void exitWithUsage() {
        System.err.println(USAGE);
        System.exit(2);
    }

    /** Runs until the person quits or input ends; returns the process exit code. */
    public int run() throws IOException, InterruptedException {
        Socket first;
        try {
            first = connect();
        } catch (IOException e) {
            out.println("cannot connect to " + server.getHostString() + ":" + server.getPort() + ": " + e.getMessage());
            return 1;
        }
        attach(first); // before the reader starts, so the first command finds the connection
        Thread reader = new Thread(() -> readLoop(first), "client-reader");
        reader.start();
        timer.scheduleWithFixedDelay(this::heartbeatIfIdle, 1, 1, TimeUnit.SECONDS);
        try {
            console();
            if (!session.awaitAnswers(QUIT_GRACE_MS) && session.unconfirmed() > 0) {
                out.println(session.unconfirmed() + " message(s) not confirmed by the server");
            }
        } finally {
            quitting.countDown();
            timer.shutdownNow();
            closeSocket();
            reader.join(CONNECT_TIMEOUT_MS);
        }
        return 0;
    }

    // ---- console thread ---------------------------------------------------------------

    private void console() throws IOException, InterruptedException {
        while (true) {
            if (session.hasUser()) {
                String line = in.readLine();
                if (line == null) {
                    return;
                }
                if (!line.isBlank()) {
                    session.execute(Command.parse(line));
                }
                continue;
            }
            out.println("========================");
            out.println("1. login");
            out.println("2. register");
            out.println("3. quit");
            out.println("========================");
            String choice = prompt("choice: ");
            if (choice == null || choice.strip().equals("3")) {
                return;
            }
            boolean inputLeft = switch (choice.strip()) {
                case "1" -> login();
                case "2" -> register();
                default -> {
                    out.println("type 1, 2 or 3");
                    yield true;
                }
            };
            if (!inputLeft) {
                return;
            }
        }
    }

    /** Asks for id-or-name and password and logs in; false if input ended. */
    private boolean login() throws IOException, InterruptedException {
        String who = prompt("id or name: ");
        String password = who == null ? null : prompt("password: ");
        if (password == null) {
            return false;
        }
        String name = who.strip();
        Login request = name.chars().allMatch(Character::isDigit) && !name.isEmpty()
                ? new Login(Long.parseLong(name), null, password, device)
                : new Login(null, name, password, device);
        LoginAck ack = await(session.login(request));
        if (ack != null && ack.errno() == Errno.OK.code()) {
            out.println("type help for the commands");
        }
        return true;
    }

    /** Asks for name and password and registers; false if input ended. */
    private boolean register() throws IOException, InterruptedException {
        String name = prompt("name: ");
        String password = name == null ? null : prompt("password: ");
        if (password == null) {
            return false;
        }
        await(session.register(new Reg(name.strip(), password)));
        return true;
    }

    /** The server's answer, or null (with a line for the person) if it does not come in time. */
    private <T> T await(CompletableFuture<T> reply) throws InterruptedException {
        try {
            return reply.get(REPLY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            out.println("no answer from the server");
            return null;
        }
    }

    private String prompt(String text) throws IOException {
        out.print(text);
        out.flush();
        return in.readLine();
    }

    // ---- reader thread ------------------------------------------------------------------

    /** Reads frames until quitting, reconnecting with doubling backoff when the connection drops. */
    private void readLoop(Socket first) {
        Socket current = first;
        long backoff = timing.firstBackoffMs();
        while (quitting.getCount() > 0) {
            if (current != null) {
                attach(current);
                session.connected();
                if (readFrames(current)) {
                    backoff = timing.firstBackoffMs();
                }
                boolean hadUser = session.hasUser();
                detach(current);
                session.disconnected();
                // At the menu, the server closing a connection that waited too long for a
                // login (docs/protocol.md section 6.1) is no news: reconnect quietly.
                if (quitting.getCount() > 0 && hadUser) {
                    out.println("connection lost; reconnecting");
                }
            }
            try {
                if (quitting.await(backoff, TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(backoff * 2, timing.maxBackoffMs());
            current = tryConnect();
        }
    }

    /** Decodes frames from {@code s} until it closes; true if at least one frame came. */
    private boolean readFrames(Socket s) {
        TlvCodec codec = new TlvCodec(MAX_FRAME);
        Buffer buffer = new Buffer();
        byte[] chunk = new byte[16 * 1024];
        boolean[] anyFrame = {false};
        FrameSink sink = new FrameSink() {
            @Override
            public void frame(int msgid, ObjectNode body) {
                anyFrame[0] = true;
                session.frame(msgid, body);
            }

            @Override
            public void error(FrameError error) {
                session.error(error);
                if (error.fatal()) {
                    closeSocket();
                }
            }
        };
        try {
            InputStream input = s.getInputStream();
            int n;
            while ((n = input.read(chunk)) > 0) {
                buffer.append(chunk, 0, n);
                codec.decode(buffer, sink);
                session.flushAck();
            }
        } catch (IOException e) {
            // The connection dropped; the caller reconnects.
        }
        return anyFrame[0];
    }

    private Socket tryConnect() {
        try {
            return connect();
        } catch (IOException e) {
            return null;
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        try {
            s.connect(server, CONNECT_TIMEOUT_MS);
            s.setTcpNoDelay(true);
            return tls == null ? s : startTls(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /**
     * TLS 1.3 or 1.2 over {@code s}, with the host name checked against the certificate;
     * the handshake runs now, so a certificate that is not trusted fails the connect.
     */
    private Socket startTls(Socket s) throws IOException {
        SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(s, server.getHostString(), server.getPort(), true);
        secure.setEnabledProtocols(TlsContexts.protocols());
        SSLParameters parameters = secure.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        secure.setSSLParameters(parameters);
        secure.setSoTimeout(CONNECT_TIMEOUT_MS);
        secure.startHandshake();
        secure.setSoTimeout(0);
        return secure;
    }

    // ---- sending, from any thread -----------------------------------------------------------

    private boolean send(Message message) {
        ByteBuffer frame = encoder.encode(message).detach();
        synchronized (sendLock) {
            if (socketOut == null) {
                return false;
            }
            try {
                socketOut.write(frame.array(), frame.position(), frame.remaining());
                socketOut.flush();
                lastSendNanos = System.nanoTime();
                return true;
            } catch (IOException e) {
                closeSocket(); // the reader thread notices and reconnects
                return false;
            }
        }
    }

    private void heartbeatIfIdle() {
        if (System.nanoTime() - lastSendNanos >= TimeUnit.MILLISECONDS.toNanos(timing.heartbeatMs())) {
            send(new Heartbeat());
        }
    }

    private void attach(Socket s) {
        synchronized (sendLock) {
            try {
                socket = s;
                socketOut = s.getOutputStream();
            } catch (IOException e) {
                closeSocket();
            }
        }
    }

    private void detach(Socket s) {
        synchronized (sendLock) {
            if (socket == s) {
                socket = null;
                socketOut = null;
            }
        }
        closeQuietly(s);
    }

    private void closeSocket() {
        synchronized (sendLock) {
            if (socket != null) {
                closeQuietly(socket);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // Closing a broken socket: nothing left to do.
        }
    }
}
