package muchat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.BitSet;
import muchat.codec.FrameCodec;
import muchat.codec.FrameCodecs;
import muchat.codec.FrameError;
import muchat.codec.FrameSink;
import muchat.codec.Framing;
import muchat.net.Buffer;
import muchat.protocol.Heartbeat;
import muchat.protocol.Json;
import muchat.protocol.Login;
import muchat.protocol.Message;
import muchat.protocol.MsgType;
import muchat.protocol.OneChat;
import muchat.protocol.RecvAck;
import muchat.protocol.Reg;
import muchat.protocol.Sync;

/**
 * One simulated user: its connection, its login, and the chat it keeps up with its
 * partner. Message {@code n} of a user carries {@code cmid = tag:n} and the text
 * {@code "tag sentNanos n ..."}, so the partner can measure latency on the shared
 * monotonic clock and tick {@code n} off; the tag keeps another run's messages (replayed
 * from the inbox at login) out of the figures.
 *
 * <p>Legacy mode speaks as the classic client does: JSON + NUL frames, a LOGIN_ACK with
 * no replay to follow, and ONE_CHAT with the classic fields and no cmid. There is no
 * SEND_ACK, so a message stops being in flight when its partner receives it; the partner
 * tells this user so directly, on the same loop thread. No RECV_ACK or heartbeat is sent.
 *
 * <p>Threads: everything runs on the owning {@link LoadLoop}'s thread, except that the
 * partner's thread reads {@link #id()} once both are logged in, and the main thread
 * reads the bit sets after every loop has stopped.
 */
final class LoadUser implements FrameSink {
    static final String PASSWORD = "bench-password";
    /** Chat text length: the size of a short real message. */
    private static final int TEXT_CHARS = 64;
    private static final String FILLER = "x".repeat(TEXT_CHARS);

    enum State { WAITING, CONNECTING, REGISTERING, LOGGING_IN, SYNCING, READY, CLOSED }

    final int index;
    final String name;
    final InetSocketAddress target;
    private final LoadLoop loop;
    private final String tag;
    private final boolean register;
    private final FrameCodec codec;
    final Buffer in = new Buffer(16 * 1024);
    final Buffer out = new Buffer();

    LoadUser partner;
    SocketChannel channel;
    SelectionKey key;
    State state = State.WAITING;
    private volatile long id;

    private int inflight;
    private int nextCounter;
    /** The (due) send time of each message by counter, for the SEND_ACK latency. */
    private long[] stamps = new long[256];
    /** Open loop: when the next message is due, in nanoTime. */
    long nextDue;
    private long lastSeq;
    private long ackedSeq;
    private long lastFrameSent;
    /** Chats the server refused with an ERROR; legacy chats have no cmid to say which ones. */
    private int refused;
    /** Counters of this user's messages that got SEND_ACK. */
    final BitSet acked = new BitSet();
    /** Counters of the partner's messages that arrived here. */
    final BitSet received = new BitSet();

    LoadUser(int index, String name, InetSocketAddress target, LoadLoop loop, String tag, boolean register) {
        this.index = index;
        this.name = name;
        this.target = target;
        this.loop = loop;
        this.tag = tag;
        this.register = register;
        this.codec = FrameCodecs.of(loop.legacy ? Framing.LEGACY : Framing.NATIVE, FrameCodec.DEFAULT_MAX_FRAME);
    }

    long id() {
        return id;
    }

    /** The TCP connection is up: register or log in. */
    void connected(long now) {
        if (register) {
            state = State.REGISTERING;
            send(new Reg(name, PASSWORD), now);
        } else {
            login(now);
        }
    }

    private void login(long now) {
        state = State.LOGGING_IN;
        send(new Login(null, name, PASSWORD), now);
    }

    /** Reads what arrived; false if the connection is gone. */
    boolean decodeInput() {
        codec.decode(in, this);
        return state != State.CLOSED;
    }

    @Override
    public void frame(int msgid, ObjectNode body) {
        long now = System.nanoTime();
        MsgType type = MsgType.of(msgid);
        if (type == null) {
            loop.stats.error(12);
            return;
        }
        switch (type) {
            case REG_ACK -> onRegAck(body, now);
            case LOGIN_ACK -> onLoginAck(body);
            case SYNC_DONE -> onSyncDone(body, now);
            case SEND_ACK -> onSendAck(body, now);
            case ONE_CHAT -> onPush(body, now);
            case ERROR -> onError(body, now);
            case KICKED -> {
                loop.stats.kicked++;
                loop.lost(this);
            }
            default -> {
                // HEARTBEAT_ACK and anything else a chat between two users does not care about.
            }
        }
    }

    @Override
    public void error(FrameError error) {
        loop.stats.error(error.errno().code());
    }

    private void onRegAck(ObjectNode body, long now) {
        int errno = body.path("errno").asInt(-1);
        if (errno != 0) {
            loop.stats.error(errno);
            loop.failed(this, "registration of " + name + " refused: " + body.path("errmsg").asText());
            return;
        }
        login(now);
    }

    private void onLoginAck(ObjectNode body) {
        int errno = body.path("errno").asInt(-1);
        if (errno != 0) {
            loop.stats.error(errno);
            loop.failed(this, "login of " + name + " refused: " + body.path("errmsg").asText());
            return;
        }
        id = body.path("id").asLong();
        if (loop.legacy) {
            // A legacy login has no replay to wait for: what is waiting came in the ack or follows as pushes.
            state = State.READY;
            loop.ready(this);
            return;
        }
        // Messages of earlier runs are replayed from here; acknowledging them skips them next time.
        lastSeq = body.path("acked").asLong();
        ackedSeq = lastSeq;
        state = State.SYNCING;
    }

    /** Ready once the replay is done; until then asks for the next page of the inbox. */
    private void onSyncDone(ObjectNode body, long now) {
        if (body.path("more").asBoolean(false)) {
            send(new Sync(body.path("upto").asLong()), now);
        } else if (state == State.SYNCING) {
            state = State.READY;
            loop.ready(this);
        }
    }

    private void onSendAck(ObjectNode body, long now) {
        int counter = counterOf(body.path("cmid").asText());
        if (counter < 0) {
            return;
        }
        inflight--;
        acked.set(counter);
        loop.progress.acked.incrementAndGet();
        Progress.Schedule schedule = loop.progress.schedule();
        if (schedule != null && schedule.measuring(now)) {
            loop.stats.ackedInWindow++;
        }
        if (schedule != null && schedule.measuring(stamps[counter])) {
            loop.stats.ackLatencyMicros.recordValue(Math.max(0, (now - stamps[counter]) / 1000));
        }
        if (!loop.openLoop) {
            sendChats(now);
        }
    }

    private void onError(ObjectNode body, long now) {
        loop.stats.error(body.path("errno").asInt(-1));
        boolean chat = loop.legacy
                ? body.path("ref").asInt() == MsgType.ONE_CHAT.code()
                : counterOf(body.path("cmid").asText()) >= 0;
        if (chat) {
            refused++;
            inflight--;
            loop.progress.rejected.incrementAndGet();
            if (!loop.openLoop) {
                sendChats(now);
            }
        }
    }

    private void onPush(ObjectNode body, long now) {
        long seq = body.path("seq").asLong();
        if (seq <= lastSeq) {
            loop.stats.duplicates++;
            return;
        }
        lastSeq = seq;
        String[] text = body.path("msg").asText().split(" ", 4);
        if (text.length < 3 || !text[0].equals(tag)) {
            return;
        }
        int counter = Integer.parseInt(text[2]);
        if (received.get(counter)) {
            loop.stats.duplicates++;
            return;
        }
        received.set(counter);
        loop.progress.delivered.incrementAndGet();
        Progress.Schedule schedule = loop.progress.schedule();
        if (schedule != null && schedule.measuring(now)) {
            loop.stats.deliveredInWindow++;
        }
        // Latency belongs to the message's send time: one sent in the measured seconds
        // counts even if it arrives during the drain, so a growing backlog is not cut off.
        long sentAt = Long.parseLong(text[1]);
        if (schedule != null && schedule.measuring(sentAt)) {
            loop.stats.latencyMicros.recordValue(Math.max(0, (now - sentAt) / 1000));
        }
        if (loop.legacy) {
            partner.deliveredToPartner(now);
        }
    }

    /** Legacy: the partner has one more of this user's messages; the next may go. */
    private void deliveredToPartner(long now) {
        inflight--;
        if (!loop.openLoop) {
            sendChats(now);
        }
    }

    /**
     * Closed loop: fills the window. Open loop: sends what is due by now, each message
     * stamped with the time it was due, so a late send shows up as latency.
     */
    void sendChats(long now) {
        Progress.Schedule schedule = loop.progress.schedule();
        if (state != State.READY || schedule == null || !schedule.sending(now)) {
            return;
        }
        while (inflight < loop.window) {
            if (!loop.openLoop) {
                sendChat(now, now);
            } else if (nextDue <= now) {
                if (schedule.measuring(nextDue)) {
                    loop.stats.sendLateMicros.recordValue((now - nextDue) / 1000);
                }
                sendChat(nextDue, now);
                nextDue += loop.interval;
            } else {
                return;
            }
        }
    }

    private void sendChat(long stamp, long now) {
        int counter = nextCounter++;
        if (counter == stamps.length) {
            stamps = Arrays.copyOf(stamps, 2 * counter);
        }
        stamps[counter] = stamp;
        String text = tag + ' ' + stamp + ' ' + counter + ' ';
        text += FILLER.substring(0, Math.max(0, TEXT_CHARS - text.length()));
        if (loop.legacy) {
            send(new ClassicChat(id, name, partner.id(), text, loop.classicTime), now);
        } else {
            send(new OneChat(partner.id(), text, tag + ':' + counter), now);
        }
        inflight++;
        loop.progress.sent.incrementAndGet();
    }

    /** Acknowledges what arrived since the last time, and keeps an idle connection alive. */
    void housekeeping(long now, long heartbeatNanos) {
        if (loop.legacy || state.compareTo(State.SYNCING) < 0 || state == State.CLOSED) {
            return;
        }
        if (lastSeq > ackedSeq) {
            ackedSeq = lastSeq;
            send(new RecvAck(lastSeq), now);
        } else if (now - lastFrameSent > heartbeatNanos) {
            send(new Heartbeat(), now);
        }
    }

    private void send(Message message, long now) {
        codec.encode(message.msgid(), Json.bytes(message), out);
        lastFrameSent = now;
        loop.wantsFlush(this);
    }

    /**
     * This user's messages that its partner should have and did not receive: those
     * acknowledged (native), or every one sent and not refused (legacy, where the server
     * stores each message before it pushes it). Main thread, after the loops stopped.
     */
    long lost() {
        BitSet missing;
        if (loop.legacy) {
            missing = new BitSet();
            missing.set(0, nextCounter);
        } else {
            missing = (BitSet) acked.clone();
        }
        missing.andNot(partner.received);
        return Math.max(0, missing.cardinality() - (loop.legacy ? refused : 0));
    }

    /** The counter in a cmid of this run, or -1 for anything else. */
    private int counterOf(String cmid) {
        int colon = cmid.indexOf(':');
        if (colon != tag.length() || !cmid.startsWith(tag)) {
            return -1;
        }
        return Integer.parseInt(cmid, colon + 1, cmid.length(), 10);
    }

    /** ONE_CHAT as the classic client sends it: its own id and name, and the local time. */
    record ClassicChat(long id, String name, long toid, String msg, String time) implements Message {
        @Override
        public MsgType type() {
            return MsgType.ONE_CHAT;
        }
    }
}
