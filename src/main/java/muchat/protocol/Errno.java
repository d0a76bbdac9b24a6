package muchat.protocol;

/** The error numbers of docs/protocol.md section 4, each with a default sentence for a person. */
public enum Errno {
    OK(0, "ok"),
    WRONG_CREDENTIALS(1, "wrong id or password"),
    /** Never sent by muchat: a second login of a device kicks the first (docs/protocol.md section 4). */
    ALREADY_ONLINE(2, "this account is already online"),
    NOT_LOGGED_IN(10, "please log in first"),
    MALFORMED(11, "malformed message"),
    UNKNOWN_MSGID(12, "unknown message id"),
    FRAME_TOO_LARGE(13, "message too large"),
    INVALID_FIELD(14, "invalid field value"),
    NO_SUCH_TARGET(15, "no such user or group"),
    FORBIDDEN(16, "not allowed"),
    RATE_LIMITED(17, "too many requests, slow down"),
    UNAVAILABLE(50, "server temporarily unavailable, try again later");

    private final int code;
    private final String sentence;

    Errno(int code, String sentence) {
        this.code = code;
        this.sentence = sentence;
    }

    public int code() {
        return code;
    }

    /** The default {@code errmsg} for this error. */
    public String sentence() {
        return sentence;
    }

    /** A {@code retry_after} in whole seconds, rounded up, for an {@code errmsg}. */
    static long seconds(long retryAfterMillis) {
        return (retryAfterMillis + 999) / 1000;
    }

    /** The errno with wire code {@code code}, or null if there is none. */
    public static Errno of(int code) {
        for (Errno e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }
}
