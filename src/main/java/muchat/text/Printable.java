package muchat.text;

/**
 * User-supplied text made safe to print on one line: in a log file, where a newline in a
 * user name would forge a log line, and on a terminal, where control characters move the
 * cursor or change colours and bidirectional controls reorder what follows.
 *
 * <p>Threads: stateless, any thread.
 */
public final class Printable {
    private Printable() {
    }

    /**
     * {@code text} with every character that {@link #isUnsafe} names written as an escape
     * ({@code \n}, {@code \r}, {@code \t} or {@code \}{@code uXXXX}) and each backslash
     * doubled, so an escape in the output cannot be mistaken for one in the input.
     */
    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        if (!needsEscaping(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            appendEscaped(out, text.charAt(i));
        }
        return out.toString();
    }

    /** True when {@code text} holds no character that {@link #isUnsafe} names. */
    public static boolean isShown(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (isUnsafe(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * C0 and C1 control characters, DEL, the line and paragraph separators and the
     * bidirectional embedding, override and isolate controls.
     */
    public static boolean isUnsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f)
                || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u2066' && c <= '\u2069');
    }

    private static boolean needsEscaping(String text) {
        return text.indexOf('\\') >= 0 || !isShown(text);
    }

    private static void appendEscaped(StringBuilder out, char c) {
        switch (c) {
            case '\\' -> out.append("\\\\");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> {
                if (isUnsafe(c)) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
    }
}
