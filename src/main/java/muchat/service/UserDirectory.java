package muchat.service;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import muchat.store.User;
import muchat.store.UserStore;

/**
 * Names of users by id, cached: every chat message checks that its recipient exists and
 * carries its sender's name, and users are never renamed or deleted, so the database is
 * asked once per user and process (about a hundred bytes per user).
 *
 * <p>Threads: any thread.
 */
final class UserDirectory {
    private final UserStore users;
    private final Map<Long, String> names = new ConcurrentHashMap<>();

    UserDirectory(UserStore users) {
        this.users = users;
    }

    /** The user's name, or empty if there is no such user. */
    Optional<String> name(long uid) {
        String cached = names.get(uid);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<User> user = users.find(uid);
        user.ifPresent(this::remember);
        return user.map(User::name);
    }

    void remember(User user) {
        names.put(user.id(), user.name());
    }
}
