package muchat.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The chat load generator of {@code scripts/bench-chat.sh}: logs in N users, pairs user
 * 2i with 2i+1 (on different servers when there are several targets), lets each pair
 * chat with ONE_CHAT, and prints one Markdown table row:
 *
 * <pre>| label | offered | acked/s | delivered/s | p50 ms | p99 ms | p999 ms | lost | errors |</pre>
 *
 * Closed loop (no {@code --rate}): each user keeps {@code --window} messages unacknowledged,
 * which finds the throughput. Open loop ({@code --rate R}): R messages a second in all,
 * each stamped with the time it was due, which gives honest latency at that rate.
 * Latency is send to delivery on the recipient's socket, for every message due in the
 * measured seconds (also when it arrives during the drain); load client and server must
 * be on the same machine, since both ends read one monotonic clock.
 *
 * <p>{@code --legacy} speaks the classic protocol instead (JSON + NUL, docs/protocol.md
 * section 7), as the classic client would: there is no SEND_ACK, so the window counts a
 * user's messages its partner has not yet received (default 1: one in flight per
 * direction), and {@code acked/s} is {@code -}. The server paces every legacy connection's
 * pushes, a frame at a time and a pause apart, so each user receives a bounded number of
 * messages a second whatever the server's speed; the row shows what that leaves.
 *
 * <p>{@code --probe} adds one more pair of users on a thread of their own, each sending
 * one message a second in the same seconds, and prints their figures on one more stderr
 * line ({@link #probeLine}): what an unrelated user sees while the load runs.
 *
 * <p>After the measurement it waits up to {@code --drain} seconds for every message to be
 * acknowledged and delivered, then checks per message that each acknowledged one arrived
 * (legacy: each one sent, since the server stores a message before it pushes it); any
 * that did not are reported as lost, and the exit status is 3.
 *
 * <pre>java -cp muchat.jar muchat.bench.ChatLoad --targets 127.0.0.1:6000 --users 1000 --register</pre>
 *
 * <p>Threads: the main thread sets up, waits and reports; {@link LoadLoop}s do the IO.
 */
public final class ChatLoad {
    private static final long LOGIN_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final int EXIT_LOST = 3;
    private static final int REPORT_SECONDS = 5;

    private ChatLoad() {
    }

    public static void main(String[] args) throws Exception {
        LoadOptions options = Flags.parseOrExit("chatload", LoadOptions.USAGE, args, LoadOptions::parse);
        System.exit(run(options, System.out));
    }

    /** Runs the benchmark, prints its row to {@code rows}, and returns the exit status. */
    static int run(LoadOptions options, PrintStream rows) throws IOException, InterruptedException {
        Progress progress = new Progress(options.legacy());
        List<LoadLoop> loops = new ArrayList<>();
        for (int t = 0; t < options.threads(); t++) {
            loops.add(new LoadLoop(options, progress));
        }
        List<LoadUser> users = createUsers(options, loops);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < loops.size(); t++) {
            threads.add(start(loops.get(t), "chatload-" + t));
        }
        // The probe has a thread of its own, so its sends and reads never wait behind the load's.
        LoadLoop probeLoop = null;
        List<LoadUser> probeUsers = List.of();
        if (options.probe()) {
            probeLoop = new LoadLoop(options.probeOptions(), progress);
            probeUsers = createUsers(options.probeOptions(), List.of(probeLoop));
            threads.add(start(probeLoop, "chatload-probe"));
        }

        long loginStart = System.nanoTime();
        int everyone = users.size() + probeUsers.size();
        if (!awaitLogins(progress, everyone)) {
            progress.finish();
            joinAll(threads);
            System.err.println("chatload: only " + progress.loggedIn.get() + " of " + everyone
                    + " users logged in; no measurement");
            return 1;
        }
        System.err.printf(Locale.ROOT, "chatload: %d users logged in in %.1f s%n",
                everyone, (System.nanoTime() - loginStart) / 1e9);

        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        long measureFrom = start + TimeUnit.SECONDS.toNanos(options.warmup());
        Progress.Schedule schedule = new Progress.Schedule(start, measureFrom,
                measureFrom + TimeUnit.SECONDS.toNanos(options.seconds()));
        progress.start(schedule);
        reportUntil(progress, schedule, options.legacy());

        boolean settled = awaitSettled(progress, schedule.stop() + TimeUnit.SECONDS.toNanos(options.drain()));
        progress.finish();
        joinAll(threads);

        LoopStats total = new LoopStats();
        loops.forEach(loop -> total.add(loop.stats));
        long lost = countLost(users);
        rows.println(row(options, total, lost));
        if (!options.legacy()) {
            System.err.println("chatload: send to SEND_ACK " + percentiles(total.ackLatencyMicros));
        }
        if (options.openLoop()) {
            System.err.println("chatload: sends left the load client late by " + percentiles(total.sendLateMicros)
                    + " (its own scheduling, or a full window; counted in both latencies)");
        }
        long probeLost = 0;
        if (probeLoop != null) {
            probeLost = countLost(probeUsers);
            System.err.println("chatload: " + probeLine(probeLoop.stats, probeLost));
        }
        if (!settled) {
            System.err.printf("chatload: after %d s of drain, sent=%d acked=%d rejected=%d delivered=%d%n",
                    options.drain(), progress.sent.get(), progress.acked.get(), progress.rejected.get(),
                    progress.delivered.get());
        }
        if (lost + probeLost > 0) {
            System.err.println("chatload: LOST " + (lost + probeLost)
                    + (options.legacy() ? " SENT" : " ACKNOWLEDGED") + " MESSAGES: they never reached their recipient");
            return EXIT_LOST;
        }
        return 0;
    }

    private static Thread start(LoadLoop loop, String name) {
        Thread thread = new Thread(loop, name);
        thread.start();
        return thread;
    }

    private static List<LoadUser> createUsers(LoadOptions options, List<LoadLoop> loops) {
        String tag = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36 * 36), 36);
        List<LoadUser> users = new ArrayList<>();
        for (int i = 0; i < options.users(); i++) {
            // Legacy: a pair shares a loop, since one user's receipt lets the other send.
            LoadLoop loop = loops.get((options.legacy() ? i / 2 : i) % loops.size());
            LoadUser user = new LoadUser(i, options.prefix() + "-" + i, options.targetOf(i), loop, tag,
                    options.register());
            loop.add(user);
            users.add(user);
        }
        for (int i = 0; i < users.size(); i += 2) {
            users.get(i).partner = users.get(i + 1);
            users.get(i + 1).partner = users.get(i);
        }
        return users;
    }

    private static boolean awaitLogins(Progress progress, int users) throws InterruptedException {
        long deadline = System.nanoTime() + LOGIN_TIMEOUT_NANOS;
        while (progress.loggedIn.get() < users) {
            if (progress.failed.get() > 0 || System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    private static boolean awaitSettled(Progress progress, long deadline) throws InterruptedException {
        while (!progress.settled()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /**
     * Sleeps until the load stops, printing the rates of every {@value #REPORT_SECONDS}
     * seconds to stderr: shows warm-up (JIT, caches) and hiccups the averages hide.
     */
    private static void reportUntil(Progress progress, Progress.Schedule schedule, boolean legacy)
            throws InterruptedException {
        long last = schedule.start();
        long acked = 0;
        long delivered = 0;
        long left;
        while ((left = schedule.stop() - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.SECONDS.toNanos(REPORT_SECONDS)));
            long now = System.nanoTime();
            long ackedNow = progress.acked.get();
            long deliveredNow = progress.delivered.get();
            double seconds = (now - last) / 1e9;
            String ackedRate = legacy ? "-" : String.format(Locale.ROOT, "%.0f", (ackedNow - acked) / seconds);
            System.err.printf(Locale.ROOT, "chatload: t=%.0fs acked/s=%s delivered/s=%.0f%s%n",
                    (now - schedule.start()) / 1e9, ackedRate, (deliveredNow - delivered) / seconds,
                    now <= schedule.measureFrom() ? " (warm-up)" : "");
            last = now;
            acked = ackedNow;
            delivered = deliveredNow;
        }
    }

    private static void joinAll(List<Thread> threads) throws InterruptedException {
        for (Thread thread : threads) {
            thread.join();
        }
    }

    /** Messages the server took on (see {@link LoadUser#lost}) that never reached their recipient. */
    private static long countLost(List<LoadUser> users) {
        return users.stream().mapToLong(LoadUser::lost).sum();
    }

    private static String row(LoadOptions options, LoopStats total, long lost) {
        String offered = options.openLoop()
                ? String.format(Locale.ROOT, "%,d/s", options.rate())
                : "closed loop, window " + options.window();
        String label = options.label().isEmpty() ? "" : "| " + options.label() + " ";
        String acked = options.legacy() ? "-" : String.format(Locale.ROOT, "%,d", total.ackedInWindow / options.seconds());
        return String.format(Locale.ROOT, "%s| %s | %s | %,d | %.2f | %.2f | %.2f | %d | %s |",
                label, offered, acked, total.deliveredInWindow / options.seconds(),
                millis(total.latencyMicros, 50), millis(total.latencyMicros, 99), millis(total.latencyMicros, 99.9),
                lost, total.errorSummary());
    }

    /**
     * The probe's figures as {@code name=value} words for scripts: messages it sent in the
     * measured seconds, how many of those arrived (by the end of the drain), their
     * send-to-delivery latency, how late its own thread sent them, and acknowledged ones lost.
     */
    static String probeLine(LoopStats probe, long lost) {
        return String.format(Locale.ROOT,
                "probe sent=%d delivered=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f late_p99_ms=%.2f lost=%d errors=%s",
                probe.sendLateMicros.getTotalCount(), probe.latencyMicros.getTotalCount(),
                millis(probe.latencyMicros, 50), millis(probe.latencyMicros, 99),
                probe.latencyMicros.getMaxValue() / 1000.0, millis(probe.sendLateMicros, 99), lost,
                probe.errorSummary().replace(' ', ','));
    }

    /** {@code p50 1.23 ms, p99 4.56 ms, p999 7.89 ms} of a histogram in microseconds. */
    private static String percentiles(Histogram micros) {
        return String.format(Locale.ROOT, "p50 %.2f ms, p99 %.2f ms, p999 %.2f ms",
                millis(micros, 50), millis(micros, 99), millis(micros, 99.9));
    }

    private static double millis(Histogram micros, double percentile) {
        return micros.getValueAtPercentile(percentile) / 1000.0;
    }
}
