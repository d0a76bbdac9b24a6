package muchat.service;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The users logged in on this instance and their sessions; with the {@link Cluster}, it
 * answers who is online anywhere.
 *
 * <p>Threads: any thread.
 */
final class SessionRegistry {
    private final Map<Long, Session> byUser = new ConcurrentHashMap<>();
    private final Cluster cluster;

    SessionRegistry(Cluster cluster) {
        this.cluster = cluster;
    }

    /** Makes {@code session} the user's session here; returns the one it replaces, if any. */
    Session put(long uid, Session session) {
        return byUser.put(uid, session);
    }

    /** Removes the user's entry only if it is still {@code session}. */
    boolean remove(long uid, Session session) {
        return byUser.remove(uid, session);
    }

    Session get(long uid) {
        return byUser.get(uid);
    }

    Collection<Session> sessions() {
        return byUser.values();
    }

    int size() {
        return byUser.size();
    }

    /** Which of {@code uids} are online here or on any other instance. */
    Set<Long> onlineAmong(Collection<Long> uids) {
        Set<Long> online = new HashSet<>();
        for (Long uid : uids) {
            if (byUser.containsKey(uid)) {
                online.add(uid);
            }
        }
        if (online.size() < uids.size()) {
            online.addAll(cluster.onlineAmong(uids));
        }
        return online;
    }
}
