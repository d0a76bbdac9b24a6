package muchat.bench;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The {@code --name value} and {@code --switch} options of one load-generator command.
 *
 * <p>An option the command does not declare is an error, so a typo in a benchmark
 * script fails at once instead of silently measuring with a default.
 */
final class Flags {
    private final Map<String, String> values;
    private final Set<String> switches;

    private Flags(Map<String, String> values, Set<String> switches) {
        this.values = values;
        this.switches = switches;
    }

    /**
     * Parses {@code args}; {@code valued} names take a value, {@code switchNames} stand alone.
     *
     * @throws IllegalArgumentException on an unknown option or a missing value
     */
    static Flags parse(String[] args, List<String> valued, List<String> switchNames) {
        Map<String, String> values = new HashMap<>();
        Set<String> switches = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (switchNames.contains(name)) {
                switches.add(name);
            } else if (valued.contains(name) && i + 1 < args.length) {
                values.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option or missing value: " + args[i]);
            }
        }
        return new Flags(values, switches);
    }

    /**
     * The options of a command's {@code main}: {@code parser} applied to {@code args}, or,
     * when they are wrong, the reason and {@code usage} on stderr and exit status 2.
     */
    static <T> T parseOrExit(String command, String usage, String[] args, Function<String[], T> parser) {
        try {
            return parser.apply(args);
        } catch (IllegalArgumentException e) {
            System.err.println(command + ": " + e.getMessage());
            System.err.println(usage);
            System.exit(2);
            throw e; // not reached
        }
    }

    String string(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    int positiveInt(String name, int defaultValue) {
        return intAtLeast(name, defaultValue, 1);
    }

    /** The number given for {@code name}, or {@code defaultValue}; below {@code min} is an error. */
    int intAtLeast(String name, int defaultValue, int min) {
        String text = values.get(name);
        if (text == null) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " wants a number, got " + text);
        }
        if (value < min) {
            throw new IllegalArgumentException("--" + name + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    boolean isSet(String switchName) {
        return switches.contains(switchName);
    }
}
