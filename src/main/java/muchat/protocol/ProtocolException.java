package muchat.protocol;

/**
 * A request the server refuses with an errno (11 wrong type, 14 invalid value, ...).
 * The message is the {@code errmsg} for the person. Expected in normal operation, so it
 * carries no stack trace.
 */
public final class ProtocolException extends Exception {
    private final Errno errno;

    public ProtocolException(Errno errno, String errmsg) {
        super(errmsg, null, false, false);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
