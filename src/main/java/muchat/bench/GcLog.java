package muchat.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server's GC log ({@code -Xlog:gc:file=...}) read while the server writes it: each
 * {@link #newHeapsAfterGc} returns the heap occupancy after every young or full
 * collection logged since the last call. That occupancy is what the collector could not
 * free: the live data plus whatever it had no reason to collect yet. Sampled at an
 * arbitrary moment instead, heap in use swings with the garbage made since the last
 * collection and says little about what a backlog pins.
 *
 * <p>Lines look like {@code [3.104s][info][gc] GC(12) Pause Young (Normal) (G1 Evacuation
 * Pause) 612M->98M(1024M) 7.331ms}; G1's remark and cleanup pauses free nothing and are
 * skipped, as is every other line.
 *
 * <p>Threads: one thread, the sampler's.
 */
final class GcLog {
    private static final Pattern PAUSE = Pattern.compile(
            "Pause (?:Young|Full)\\b.*?\\d+[KMG]->(\\d+)([KMG])\\(\\d+[KMG]\\)");

    private final Path file;
    private long offset;
    /** The start of a line the JVM had not finished writing at the last look. */
    private String partial = "";

    /** Starts at the log's current end: collections logged before now are not this run's. */
    GcLog(Path file) {
        this.file = file;
        this.offset = file.toFile().length();
    }

    /** The heap after each collection logged since the last call, in KiB, oldest first. */
    List<Long> newHeapsAfterGc() throws IOException {
        List<Long> heaps = new ArrayList<>();
        for (String line : newLines()) {
            long kib = heapAfterKib(line);
            if (kib >= 0) {
                heaps.add(kib);
            }
        }
        return heaps;
    }

    /** Complete lines appended since the last call. */
    private List<String> newLines() throws IOException {
        if (!file.toFile().exists()) {
            return List.of();
        }
        String text;
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            if (in.length() < offset) {
                offset = 0; // rewritten by a new JVM: read it from its start
                partial = "";
            }
            byte[] bytes = new byte[(int) (in.length() - offset)];
            in.seek(offset);
            in.readFully(bytes);
            offset += bytes.length;
            text = partial + new String(bytes, StandardCharsets.UTF_8);
        }
        int end = text.lastIndexOf('\n') + 1;
        partial = text.substring(end);
        return text.isEmpty() || end == 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
    }

    /** The heap after the collection of one log line, in KiB; -1 if the line is no such pause. */
    static long heapAfterKib(String line) {
        Matcher m = PAUSE.matcher(line);
        if (!m.find()) {
            return -1;
        }
        long value = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "K" -> value;
            case "M" -> value * 1024;
            default -> value * 1024 * 1024;
        };
    }
}
