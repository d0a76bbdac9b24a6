package muchat.service;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import muchat.protocol.ChatMessage;
import muchat.protocol.Errno;
import muchat.protocol.Friend;
import muchat.protocol.Group;
import muchat.protocol.HeartbeatAck;
import muchat.protocol.InboxPush;
import muchat.protocol.LegacyLoginAck;
import muchat.protocol.Login;
import muchat.protocol.LoginAck;
import muchat.protocol.Reg;
import muchat.protocol.RegAck;
import muchat.store.Database;
import muchat.store.InboxEntry;
import muchat.store.MessageStore;
import muchat.store.User;
import muchat.store.UserStore;
import muchat.text.Printable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts and sessions: REG, LOGIN (binding the connection to one device of the user,
 * kicking an older session of that device anywhere in the cluster, replaying the inbox
 * from that device's RECV_ACK), LOGINOUT, HEARTBEAT, and leaving when a connection closes.
 *
 * <p>Logins and registrations are limited per account and client address (see
 * {@link LoginThrottle} and {@link RegistrationLimit}); a refused one is answered with
 * errno 17 and {@code retry_after} before any password is hashed.
 *
 * <p>Threads: handlers run on the requesting session's strand, never on an IO loop:
 * password hashing takes tens of milliseconds.
 */
final class Accounts {
    private static final Logger log = LoggerFactory.getLogger(Accounts.class);
    /** Waiting messages read for a legacy login reply: more than ever fit in it. */
    private static final int LEGACY_ACK_MESSAGES = 16;

    private final UserStore users;
    private final MessageStore messages;
    private final SessionRegistry sessions;
    private final Delivery delivery;
    private final UserDirectory directory;
    private final Social social;
    private final Reading reading;
    private final LoginThrottle throttle;
    private final RegistrationLimit registrations;
    private final PresenceNotices presence;

    Accounts(Database database, SessionRegistry sessions, Delivery delivery,
             UserDirectory directory, Social social, Reading reading, LoginThrottle throttle,
             RegistrationLimit registrations, PresenceNotices presence) {
        this.users = database.users();
        this.messages = database.messages();
        this.sessions = sessions;
        this.delivery = delivery;
        this.directory = directory;
        this.social = social;
        this.reading = reading;
        this.throttle = throttle;
        this.registrations = registrations;
        this.presence = presence;
    }

    void register(Session session, Reg request) {
        long retryAfter = registrations.take(ClientAddress.of(session.connection().peerIp()));
        if (retryAfter > 0) {
            session.send(RegAck.throttled(retryAfter));
            return;
        }
        OptionalLong id = users.register(request.name(), request.password());
        if (id.isEmpty()) {
            throw new ServiceError(Errno.WRONG_CREDENTIALS, "the name " + request.name() + " is taken");
        }
        directory.remember(new User(id.getAsLong(), request.name()));
        log.info("registered user={} name={} {}", id.getAsLong(), Printable.escape(request.name()),
                session.connection());
        session.send(RegAck.ok(id.getAsLong()));
    }

    /**
     * Reads everything the login needs first, so that a database failure (errno 50)
     * leaves no half-made session behind; then claims the device (see
     * {@link SessionRegistry#claim}, which has any older session of it kicked), answers,
     * binds the connection to the user, and replays the inbox.
     */
    void login(Session session, Login request) {
        ClientAddress address = ClientAddress.of(session.connection().peerIp());
        long account = request.id() != null ? request.id() : users.idOf(request.name()).orElse(0);
        long retryAfter = throttle.retryAfter(account, address);
        if (retryAfter > 0) {
            log.debug("login refused user={} {} retry-after={}", account, session.connection(), retryAfter);
            session.send(LoginAck.throttled(retryAfter));
            return;
        }
        Optional<User> found = request.id() != null
                ? users.authenticate(request.id(), request.password())
                : users.authenticateByName(request.name(), request.password());
        if (found.isEmpty()) {
            log.info("login failed {} {}", who(request, account), session.connection());
            throttle.failed(account, address);
            throw new ServiceError(Errno.WRONG_CREDENTIALS, "wrong id or password");
        }
        User user = found.get();
        throttle.succeeded(user.id());
        String device = session.isLegacy() ? Login.LEGACY_DEVICE : request.deviceOrDefault();
        long acked = messages.loginPosition(user.id(), device);
        boolean severalDevices = !device.equals(MessageStore.DEFAULT_DEVICE) || messages.usedOtherDevices(user.id());
        List<Friend> friends = social.friendsOf(user.id());
        List<Group> groups = social.groupsOf(user.id());
        List<InboxEntry> waiting = session.isLegacy()
                ? messages.inboxAfter(user.id(), acked, LEGACY_ACK_MESSAGES) : List.of();
        long unread = session.isLegacy() ? 0 : reading.unreadTotal(user.id());

        directory.remember(user);
        session.setSeveralDevices(severalDevices);
        boolean arrived = sessions.claim(session, user.id(), device);
        if (session.isLegacy()) {
            acked = sendLegacyLoginAck(session, user, friends, groups, waiting, acked);
        } else {
            session.send(LoginAck.ok(user.id(), user.name(), friends, groups, acked).withUnread(unread));
        }
        sessions.bind(session, user.id(), device, user.name(), acked);
        if (arrived) { // else online here all along
            presence.arrived(user.id(), friends);
        }
        delivery.replayAfterLogin(session, acked);
    }

    /** The account a login names, for a log line: never its password. */
    private static String who(Login request, long account) {
        if (request.id() != null) {
            return "user=" + account;
        }
        return "user=" + (account == 0 ? "none" : account) + " name=" + Printable.escape(request.name());
    }

    /**
     * The classic login reply, cut to fit the classic client's one read: the waiting
     * messages that fit ride in it (delivered once it is written), the rest follow as
     * pushes. Returns the last seq it carries.
     */
    private static long sendLegacyLoginAck(Session session, User user, List<Friend> friends, List<Group> groups,
                                           List<InboxEntry> waiting, long acked) {
        // Only what a classic client knows (docs/protocol.md section 7), and never what the
        // user sent (see Session#push); what it skips is acked with it.
        List<ChatMessage> shown = waiting.stream().filter(e -> e.sender() != user.id()).map(Delivery::toPush)
                .filter(InboxPush::classic).map(ChatMessage.class::cast).toList();
        LegacyLoginAck.Fitted fitted = LegacyLoginAck.fit(user.id(), user.name(), friends, groups, shown);
        long upTo = fitted.offline() == 0 ? acked : shown.get(fitted.offline() - 1).seq();
        session.sendLegacyLoginAck(fitted.ack(), user.id(), upTo);
        if (fitted.friends() < friends.size() || fitted.groups() < groups.size()) {
            log.info("login reply trimmed to {} bytes user={} {} friends={}/{} groups={}/{}",
                    LegacyLoginAck.CLASSIC_READ, user.id(), session.connection(), fitted.friends(), friends.size(),
                    fitted.groups(), groups.size());
        }
        return upTo;
    }

    void logout(Session session) {
        sessions.leave(session, "loginout");
    }

    void heartbeat(Session session) {
        session.send(new HeartbeatAck(System.currentTimeMillis()));
    }
}
