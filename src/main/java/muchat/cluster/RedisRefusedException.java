package muchat.cluster;

/**
 * Redis answered but refused this instance: a wrong or missing password, an unknown
 * user, or a password given to a Redis that has none. Retrying cannot help, so the
 * server does not start. The message names the address with its password masked and
 * carries no stack trace.
 */
public final class RedisRefusedException extends RuntimeException {
    RedisRefusedException(String message) {
        super(message, null, false, false);
    }
}
