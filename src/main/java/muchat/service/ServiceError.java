package muchat.service;

import muchat.protocol.Errno;

/**
 * A request that cannot be done, with the errno and sentence the client gets back. Thrown
 * by handlers and turned into the reply PROTOCOL.md section 2 prescribes by ChatService.
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
