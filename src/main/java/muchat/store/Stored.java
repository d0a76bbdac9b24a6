package muchat.store;

import java.util.Collections;
import java.util.Map;

/**
 * The outcome of storing a {@link NewMessage}.
 *
 * <p>{@code duplicate} is true when the sender had already sent this {@code cmid}: then
 * {@code mid} and {@code ts} are those of the first message and nothing new was
 * delivered, so {@code deliveries} is empty. Otherwise {@code deliveries} maps each
 * recipient to the inbox seq the message got there, in the recipients' order.
 */
public record Stored(long mid, long ts, boolean duplicate, Map<Long, Long> deliveries) {
    public Stored {
        deliveries = Collections.unmodifiableMap(deliveries);
    }
}
