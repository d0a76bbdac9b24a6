package muchat.bench;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of {@link ChatLoad}.
 *
 * @param targets   servers; user i connects to {@code targets[i % size]}
 * @param users     number of users, even: user 2i chats with user 2i+1
 * @param seconds   measured seconds
 * @param warmup    seconds of load before the measurement starts
 * @param window    most chat messages one user may have sent but not yet seen acknowledged
 *                  (legacy: not yet seen delivered to its partner); default 8, legacy 1
 * @param rate      offered messages per second over all users; 0 means closed loop
 * @param register  register the users before logging them in
 * @param prefix    user names are {@code prefix-i}; a fresh prefix per registration run
 * @param threads   selector threads of the load client
 * @param drain     seconds to wait at the end for every acknowledged message to arrive
 * @param label     leading cells of the printed table row, e.g. {@code embedded | closed}
 * @param probe     also run the probe: one more pair of users, {@code prefix-probe-0} and
 *                  {@code -1}, each sending one message a second on a thread of its own, whose
 *                  latency is reported apart from the load's
 * @param legacy    speak the classic protocol (JSON + NUL, docs/protocol.md section 7):
 *                  no SEND_ACK, so a message counts as answered once its partner has it
 */
record LoadOptions(List<InetSocketAddress> targets, int users, int seconds, int warmup, int window,
                   int rate, boolean register, String prefix, int threads, int drain, String label,
                   boolean probe, boolean legacy) {

    /** The probe pair's rate over both users: one message a second each. */
    static final int PROBE_RATE = 2;
    /** The probe's window: a full one means the server held 8 s of the probe's messages. */
    static final int PROBE_WINDOW = 8;
    /**
     * The default window of a legacy run: one message in flight per direction, as a
     * person typing into the classic client would have it.
     */
    static final int LEGACY_WINDOW = 1;

    static final String USAGE = """
            usage: ChatLoad --targets HOST:PORT[,HOST:PORT...] [--users 1000] [--seconds 20]
                            [--warmup 5] [--window 8] [--rate MSGS_PER_S] [--register]
                            [--prefix NAME] [--threads 2] [--drain 15] [--label CELLS] [--probe]
                            [--legacy]  (classic JSON + NUL; --window defaults to 1 there)""";

    static LoadOptions parse(String[] args) {
        Flags flags = Flags.parse(args, List.of("targets", "users", "seconds", "warmup", "window", "rate",
                "prefix", "threads", "drain", "label"), List.of("register", "probe", "legacy"));
        List<InetSocketAddress> targets = targets(flags.string("targets", ""));
        int users = flags.positiveInt("users", 1000);
        if (targets.isEmpty() || users < 2 || users % 2 != 0) {
            throw new IllegalArgumentException("need --targets and an even --users >= 2");
        }
        boolean legacy = flags.isSet("legacy");
        return new LoadOptions(targets, users, flags.positiveInt("seconds", 20), flags.intAtLeast("warmup", 5, 0),
                flags.positiveInt("window", legacy ? LEGACY_WINDOW : 8), flags.intAtLeast("rate", 0, 0),
                flags.isSet("register"), flags.string("prefix", "bench"), flags.positiveInt("threads", 2),
                flags.intAtLeast("drain", 15, 0), flags.string("label", ""), flags.isSet("probe"), legacy);
    }

    /**
     * The probe pair as a load of its own: the same servers, schedule and registration,
     * two users at {@value #PROBE_RATE} messages a second in all, on one thread.
     */
    LoadOptions probeOptions() {
        return new LoadOptions(targets, 2, seconds, warmup, PROBE_WINDOW, PROBE_RATE, register,
                prefix + "-probe", 1, drain, "", false, legacy);
    }

    boolean openLoop() {
        return rate > 0;
    }

    /** The server user {@code index} connects to; partners 2i and 2i+1 differ when there are several. */
    InetSocketAddress targetOf(int index) {
        return targets.get(index % targets.size());
    }

    /** {@code HOST:PORT[,HOST:PORT...]}; empty for an empty list. */
    private static List<InetSocketAddress> targets(String list) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String hostPort : list.isEmpty() ? new String[0] : list.split(",")) {
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("target " + hostPort + " is not HOST:PORT");
            }
            out.add(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))));
        }
        return List.copyOf(out);
    }
}
