package muchat.service;

import muchat.protocol.Errno;

/**
 * A request that cannot be done, with the errno and sentence the client gets back. Thrown
 * by handlers and turned by ChatService into the ERROR or refusal docs/protocol.md section 4 prescribes.
 */
final class ServiceError extends RuntimeException {
    private final Errno errno;

    ServiceError(Errno errno, String errmsg) {
        super(errmsg, null, false, false);
        this.errno = errno;
    }

    ServiceError(Errno errno) {
        this(errno, errno.sentence());
    }

    Errno errno() {
        return errno;
    }
}
