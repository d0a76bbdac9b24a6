package muchat.protocol;

import muchat.text.Printable;

/**
 * Checks of request field values against the limits of docs/protocol.md section 3. Each
 * check throws errno 14 with a sentence naming the field. Lengths count characters (code
 * points), not bytes.
 */
public final class Fields {
    public static final int NAME_MAX = 50;
    public static final int PASSWORD_MIN = 6;
    public static final int PASSWORD_MAX = 50;
    public static final int MSG_MAX = 4000;
    public static final int GROUPNAME_MAX = 50;
    public static final int GROUPDESC_MAX = 200;
    public static final int CMID_MAX = 64;
    public static final int LIMIT_MAX = 100;
    public static final int LIMIT_DEFAULT = 50;

    private Fields() {
    }

    /** A required string of {@code min}..{@code max} characters. */
    public static void text(String field, String value, int min, int max) throws ProtocolException {
        if (value == null) {
            throw invalid(field + " is missing");
        }
        int n = value.codePointCount(0, value.length());
        if (n < min || n > max) {
            throw invalid(min == max ? field + " must be " + min + " characters"
                    : field + " must be " + min + " to " + max + " characters");
        }
    }

    /**
     * Text that other users see (a name, a group's name or description) holds no character
     * that {@link Printable#isUnsafe} names: a line break or control character would let
     * it forge a line in their terminal or in the server's log (docs/protocol.md 4.1).
     */
    public static void shown(String field, String value) throws ProtocolException {
        if (value != null && !Printable.isShown(value)) {
            throw invalid(field + " must not contain control characters, line breaks or bidirectional controls");
        }
    }

    /** A string that may be absent, else of {@code min}..{@code max} characters. */
    public static void optionalText(String field, String value, int min, int max) throws ProtocolException {
        if (value != null) {
            text(field, value, min, max);
        }
    }

    /** A required id: a positive integer. */
    public static void id(String field, Long value) throws ProtocolException {
        if (value == null) {
            throw invalid(field + " is missing");
        }
        if (value <= 0) {
            throw invalid(field + " must be a positive id");
        }
    }

    /** A required count such as a seq: zero or more. */
    public static void count(String field, Long value) throws ProtocolException {
        if (value == null) {
            throw invalid(field + " is missing");
        }
        if (value < 0) {
            throw invalid(field + " must not be negative");
        }
    }

    /** An integer in {@code min}..{@code max}. */
    public static void range(String field, long value, long min, long max) throws ProtocolException {
        if (value < min || value > max) {
            throw invalid(field + " must be between " + min + " and " + max);
        }
    }

    private static ProtocolException invalid(String sentence) {
        return new ProtocolException(Errno.INVALID_FIELD, sentence);
    }
}
