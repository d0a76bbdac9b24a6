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
 * @param rate      offered messages per second over all users; 0 means closed loop
 * @param register  register the users before logging them in
 * @param prefix    user names are {@code prefix-i}; a fresh prefix per registration run
 * @param threads   selector threads of the load client
 * @param drain     seconds to wait at the end for every acknowledged message to arrive
 * @param label     leading cells of the printed table row, e.g. {@code embedded | closed}
 */
record LoadOptions(List<InetSocketAddress> targets, int users, int seconds, int warmup, int window,
                   int rate, boolean register, String prefix, int threads, int drain, String label) {

    static final String USAGE = """
            usage: ChatLoad --targets HOST:PORT[,HOST:PORT...] [--users 1000] [--seconds 20]
                            [--warmup 5] [--window 8] [--rate MSGS_PER_S] [--register]
                            [--prefix NAME] [--threads 2] [--drain 15] [--label CELLS]""";

    static LoadOptions parse(String[] args) {
        List<InetSocketAddress> targets = new ArrayList<>();
        int users = 1000;
        int seconds = 20;
        int warmup = 5;
        int window = 8;
        int rate = 0;
        boolean register = false;
        String prefix = "bench";
        int threads = 2;
        int drain = 15;
        String label = "";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--targets" -> targets = targets(value(args, ++i));
                case "--users" -> users = Integer.parseInt(value(args, ++i));
                case "--seconds" -> seconds = Integer.parseInt(value(args, ++i));
                case "--warmup" -> warmup = Integer.parseInt(value(args, ++i));
                case "--window" -> window = Integer.parseInt(value(args, ++i));
                case "--rate" -> rate = Integer.parseInt(value(args, ++i));
                case "--register" -> register = true;
                case "--prefix" -> prefix = value(args, ++i);
                case "--threads" -> threads = Integer.parseInt(value(args, ++i));
                case "--drain" -> drain = Integer.parseInt(value(args, ++i));
                case "--label" -> label = value(args, ++i);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
            }
        }
        if (targets.isEmpty() || users < 2 || users % 2 != 0 || seconds < 1 || warmup < 0 || window < 1
                || rate < 0 || threads < 1 || drain < 0) {
            throw new IllegalArgumentException("need --targets, an even --users >= 2 and positive numbers\n" + USAGE);
        }
        return new LoadOptions(List.copyOf(targets), users, seconds, warmup, window, rate, register, prefix,
                threads, drain, label);
    }

    boolean openLoop() {
        return rate > 0;
    }

    /** The server user {@code index} connects to; partners 2i and 2i+1 differ when there are several. */
    InetSocketAddress targetOf(int index) {
        return targets.get(index % targets.size());
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value\n" + USAGE);
        }
        return args[i];
    }

    private static List<InetSocketAddress> targets(String list) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String hostPort : list.split(",")) {
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("target " + hostPort + " is not HOST:PORT");
            }
            out.add(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))));
        }
        return out;
    }
}
