package muchat.service;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import muchat.protocol.Friend;
import muchat.protocol.Presence;
import muchat.protocol.PresenceNotice;
import muchat.store.FriendStore;
import muchat.store.StoreException;
import muchat.store.User;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a user's friends who are online (native connections, anywhere in the cluster)
 * when the user comes online or goes offline: PRESENCE (docs/protocol.md section 3).
 *
 * <p>A user who leaves is announced offline only after {@link #OFFLINE_GRACE_MILLIS},
 * and only if {@link SessionRegistry#isOnline} then says the user has no session: a
 * reconnect within the grace (a flaky network, a client restarting) tells nobody
 * anything. Each departure leaves a token; a login here that finds its token takes it,
 * so the pending notice does nothing, and announces nothing either.
 *
 * <p>Threads: {@link #arrived} on the login's strand; {@link #left} from any thread
 * (it only schedules); the notice itself runs on the user's strand key, after the
 * grace, on the timer thread's behalf.
 */
final class PresenceNotices implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PresenceNotices.class);
    /** How long a departure waits for the user to come back before friends are told. */
    static final long OFFLINE_GRACE_MILLIS = 3000;

    private final FriendStore friends;
    private final SessionRegistry sessions;
    private final Delivery delivery;
    private final Strands strands;
    /** Users who left here within the grace, to the token of their departure. */
    private final Map<Long, Object> leaving = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread t = new Thread(task, "muchat-presence-timer");
        t.setDaemon(true);
        return t;
    });

    PresenceNotices(FriendStore friends, SessionRegistry sessions, Delivery delivery, Strands strands) {
        this.friends = friends;
        this.sessions = sessions;
        this.delivery = delivery;
        this.strands = strands;
    }

    /**
     * {@code uid} has logged in here; {@code friendList} is its LOGIN_ACK's, with each
     * friend's state. Nothing is said if the user left here within the grace.
     */
    void arrived(long uid, List<Friend> friendList) {
        if (leaving.remove(uid) != null) {
            return;
        }
        tell(uid, Presence.ONLINE, friendList.stream().filter(f -> f.state() == Presence.ONLINE)
                .map(Friend::id).toList());
    }

    /** {@code uid}'s session here has ended: its friends hear of it after the grace unless it is back. */
    void left(long uid) {
        Object token = new Object();
        leaving.put(uid, token);
        try {
            timer.schedule(() -> {
                if (leaving.remove(uid, token)) {
                    strands.execute(uid, () -> announceIfOffline(uid));
                }
            }, OFFLINE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            leaving.remove(uid, token); // stopping: nobody is told
        }
    }

    private void announceIfOffline(long uid) {
        if (sessions.isOnline(uid)) {
            return; // back, here or on another instance
        }
        try {
            List<Long> ids = friends.friendsOf(uid).stream().map(User::id).toList();
            tell(uid, Presence.OFFLINE, List.copyOf(sessions.onlineAmong(ids)));
        } catch (StoreException e) {
            log.warn("cannot tell the friends of user={} that it is offline: {}", uid, e.getMessage());
        }
    }

    private void tell(long uid, Presence state, List<Long> onlineFriends) {
        PresenceNotice notice = new PresenceNotice(uid, state);
        onlineFriends.forEach(friend -> delivery.signal(friend, notice));
    }

    /** Drops the notices still waiting: a stopping instance's users expire from the cluster by themselves. */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
