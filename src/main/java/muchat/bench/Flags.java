package muchat.bench;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    String string(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    int positiveInt(String name, int defaultValue) {
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
        if (value <= 0) {
            throw new IllegalArgumentException("--" + name + " must be positive, got " + value);
        }
        return value;
    }

    boolean isSet(String switchName) {
        return switches.contains(switchName);
    }
}
