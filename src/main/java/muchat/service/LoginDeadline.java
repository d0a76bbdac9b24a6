package muchat.service;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import muchat.net.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection that goes without a logged-in user for longer than the login
 * timeout: counted from when it connects, and again from each LOGINOUT
 * (docs/protocol.md section 6.1). Without it a connection that never logs in would hold
 * a descriptor and memory for good: a legacy one is never closed for silence, and a
 * native one that sends HEARTBEAT is never idle.
 *
 * <p>One per IO loop. Every deadline is the same length after its start, so the sessions
 * wait in the order they started, and a timer sweeps the front of the line a few times
 * per timeout. A session that is logged in when its deadline comes is just dropped from
 * the line. One that is not is checked again on its strand, after any LOGIN that was
 * read before the deadline, and once more here, after any LOGINOUT that restarted its
 * deadline meanwhile; only then is it closed.
 *
 * <p>Threads: {@link #start} and {@link #forget} in the IO loop; {@link #restart} from
 * any thread; the line itself is touched by the IO loop only.
 */
final class LoginDeadline {
    private static final Logger log = LoggerFactory.getLogger(LoginDeadline.class);

    private final EventLoop loop;
    private final Duration timeout;
    /** Each waiting session and the nanoTime its deadline falls, earliest first. Loop thread. */
    private final LinkedHashMap<Session, Long> waiting = new LinkedHashMap<>();

    LoginDeadline(EventLoop loop, Duration timeout) {
        this.loop = loop;
        this.timeout = timeout;
        long sweepMillis = Math.max(10, Math.min(1000, timeout.toMillis() / 4));
        loop.runEvery(sweepMillis, this::sweep);
    }

    /** The session must have a user within the timeout from now. IO loop. */
    void start(Session session) {
        loop.assertInLoopThread();
        waiting.remove(session); // so that it moves to the end of the line
        waiting.put(session, System.nanoTime() + timeout.toNanos());
    }

    /** The session's user logged out: a new deadline from now. Any thread. */
    void restart(Session session) {
        loop.runInLoop(() -> {
            if (session.connection().isConnected()) {
                start(session);
            }
        });
    }

    /** The connection closed. IO loop. */
    void forget(Session session) {
        loop.assertInLoopThread();
        waiting.remove(session);
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<Session, Long>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Session, Long> next = it.next();
            if (next.getValue() - now > 0) {
                return; // the others fall later
            }
            it.remove();
            Session session = next.getKey();
            if (!session.isLoggedIn()) {
                session.handOff(() -> expireOnStrand(session));
            }
        }
    }

    /** On the session's strand: every request read before the deadline has been handled. */
    private void expireOnStrand(Session session) {
        if (!session.isLoggedIn()) {
            loop.queueInLoop(() -> expire(session));
        }
    }

    /** Back in the IO loop: a LOGINOUT after the deadline has put the session back in line. */
    private void expire(Session session) {
        if (session.isLoggedIn() || waiting.containsKey(session) || !session.connection().isConnected()) {
            return;
        }
        log.info("closed {} reason=login-timeout no-user-for={}s", session, timeout.toSeconds());
        session.connection().forceClose();
    }
}
