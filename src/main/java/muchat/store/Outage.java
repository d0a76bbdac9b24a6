package muchat.store;

import org.slf4j.Logger;

/**
 * One writer thread's view of a database outage, for its log: one line when writes
 * start failing and one when they work again (with how many messages were refused
 * meanwhile), instead of a line for every failed batch.
 *
 * <p>Threads: only the writer thread that owns it.
 */
final class Outage {
    private final Logger log;
    private final String what;
    private final String meanwhile;
    private boolean failing;
    private long refused;

    /**
     * @param what      what fails, e.g. "database writes"
     * @param meanwhile what the writer does until it recovers, e.g. "refusing messages until it recovers"
     */
    Outage(Logger log, String what, String meanwhile) {
        this.log = log;
        this.what = what;
        this.meanwhile = meanwhile;
    }

    /** A write failed, and {@code refusedMessages} messages with it. */
    void failed(Exception e, int refusedMessages) {
        if (!failing) {
            failing = true;
            log.warn("{} failing, {}: {}", what, meanwhile, Jdbc.describe(e));
        }
        refused += refusedMessages;
    }

    /** A write succeeded. */
    void recovered() {
        if (!failing) {
            return;
        }
        if (refused > 0) {
            log.info("{} recovered; {} messages were refused meanwhile", what, refused);
        } else {
            log.info("{} recovered", what);
        }
        failing = false;
        refused = 0;
    }
}
