package muchat.store;

/**
 * The database could not be reached or failed a statement. The service answers such a
 * request with errno 50 ("retry later"); nothing was changed.
 *
 * <p>Unchecked so that it can travel through {@code CompletableFuture}s and lambdas
 * unchanged; every store method that talks to the database still declares it.
 */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
