package muchat.store;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Stores a group-commit batch so that one message the database refuses fails alone. A
 * batch is one transaction, so one bad message rolls back all of them; then the batch
 * is split in halves and each half written again, down to the single message that
 * cannot be stored. Nothing of this runs while batches succeed, and a batch with one
 * bad message of n costs about 2 log2(n) more transactions.
 *
 * <p>A failure of the database as a whole ({@link Jdbc#isUnavailable}) is not split:
 * the rest of the batch is refused at once, and {@link #unavailable} says why.
 *
 * <p>Threads: one group-commit lane.
 */
final class SplittingWriter implements AutoCloseable {
    private final BatchWriter writer;
    /** Why the last {@link #write} stopped early, or null. */
    private Exception unavailable;

    SplittingWriter(BatchWriter writer) {
        this.writer = writer;
    }

    /** What became of one message: stored, or refused with {@code error}. */
    record Outcome(Stored stored, StoreException error) {
        /** This outcome, or if the message was stored, a failure with {@code failure} instead. */
        Outcome orFailWith(StoreException failure) {
            return error != null ? this : new Outcome(null, failure);
        }

        /** Completes each future with its outcome, in order. */
        static void completeAll(List<CompletableFuture<Stored>> futures, List<Outcome> outcomes) {
            for (int i = 0; i < futures.size(); i++) {
                Outcome outcome = outcomes.get(i);
                if (outcome.error() != null) {
                    futures.get(i).completeExceptionally(outcome.error());
                } else {
                    futures.get(i).complete(outcome.stored());
                }
            }
        }
    }

    /** Stores what it can of the batch; the outcomes are in the batch's order. */
    List<Outcome> write(List<NewMessage> batch) {
        unavailable = null;
        List<Outcome> out = new ArrayList<>(batch.size());
        write(batch, out);
        return out;
    }

    /** The failure of the database that refused part of the last batch, or null if none did. */
    Exception unavailable() {
        return unavailable;
    }

    @Override
    public void close() {
        writer.close();
    }

    private void write(List<NewMessage> part, List<Outcome> out) {
        if (unavailable != null) {
            refuse(part, unavailable, out);
            return;
        }
        try {
            for (Stored stored : writer.write(part)) {
                out.add(new Outcome(stored, null));
            }
        } catch (SQLException | RuntimeException e) {
            if (Jdbc.isUnavailable(e)) {
                unavailable = e;
                refuse(part, e, out);
            } else if (part.size() == 1) {
                refuse(part, e, out);
            } else {
                int half = part.size() / 2;
                write(part.subList(0, half), out);
                write(part.subList(half, part.size()), out);
            }
        }
    }

    private static void refuse(List<NewMessage> part, Exception e, List<Outcome> out) {
        StoreException error = Jdbc.error("cannot store the message: ", e);
        for (int i = 0; i < part.size(); i++) {
            out.add(new Outcome(null, error));
        }
    }
}
