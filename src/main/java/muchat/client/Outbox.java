package muchat.client;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import muchat.protocol.Request;

/**
 * The sending side of docs/protocol.md section 5: every chat gets a fresh {@code cmid} and
 * stays here until its SEND_ACK, so after a reconnect it is sent again with the same
 * cmid and the server stores it once.
 *
 * <p>Threads: not thread-safe; {@link ClientSession} guards it.
 */
final class Outbox {
    private final String prefix;
    private long counter;
    private final Map<String, Request> pending = new LinkedHashMap<>();

    /** A random prefix keeps cmids unique across runs of the client for the same user. */
    Outbox() {
        this(Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE, 36));
    }

    Outbox(String prefix) {
        this.prefix = prefix;
    }

    /** A cmid not used before by this outbox. */
    String nextCmid() {
        return prefix + "-" + (++counter);
    }

    /** Keeps {@code chat} until {@link #settle} with its {@code cmid}. */
    void add(String cmid, Request chat) {
        pending.put(cmid, chat);
    }

    /** Removes and returns the chat with {@code cmid}; null if not pending (a repeated ack). */
    Request settle(String cmid) {
        return cmid == null ? null : pending.remove(cmid);
    }

    /** The unconfirmed chats, oldest first. */
    List<Request> pending() {
        return new ArrayList<>(pending.values());
    }

    int size() {
        return pending.size();
    }

    void clear() {
        pending.clear();
    }
}
