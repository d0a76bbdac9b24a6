package muchat.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import muchat.protocol.AddGroup;
import muchat.protocol.AddGroupAck;
import muchat.protocol.CreateGroup;
import muchat.protocol.CreateGroupAck;
import muchat.protocol.Errno;
import muchat.protocol.Friend;
import muchat.protocol.Group;
import muchat.protocol.GroupDecide;
import muchat.protocol.GroupDecideAck;
import muchat.protocol.GroupRequests;
import muchat.protocol.GroupRequestsAck;
import muchat.protocol.GroupUser;
import muchat.protocol.MsgType;
import muchat.protocol.Presence;
import muchat.protocol.Role;
import muchat.store.Database;
import muchat.store.FriendStore;
import muchat.store.GroupRecord;
import muchat.store.GroupStore;
import muchat.store.Member;
import muchat.store.MemberRole;
import muchat.store.User;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups: CREATE_GROUP, ADD_GROUP, the requests to join closed groups (GROUP_REQUESTS,
 * GROUP_DECIDE), and the friend and group lists (with live presence) that LOGIN_ACK
 * carries. Making friends is {@link FriendRequests}' job.
 *
 * <p>Threads: handlers run on the requesting session's strand; the class keeps no state.
 */
final class Social {
    private static final Logger log = LoggerFactory.getLogger(Social.class);

    private final FriendStore friends;
    private final GroupStore groups;
    private final SessionRegistry sessions;
    private final int maxGroupMembers;

    Social(Database database, SessionRegistry sessions, int maxGroupMembers) {
        this.friends = database.friends();
        this.groups = database.groups();
        this.sessions = sessions;
        this.maxGroupMembers = maxGroupMembers;
    }

    /** A classic client's group is open: its users could not approve anyone (docs/protocol.md section 7). */
    void createGroup(Session session, CreateGroup request) {
        String desc = request.groupdesc() == null ? "" : request.groupdesc();
        boolean open = session.isLegacy() || request.open();
        long groupId = groups.create(session.uid(), request.groupname(), desc, open);
        session.reply(MsgType.CREATE_GROUP, CreateGroupAck.ok(groupId));
    }

    /** Joins an open group; asks to join a closed one, which a classic client cannot. */
    void joinGroup(Session session, AddGroup request) {
        long groupId = request.groupid();
        switch (groups.join(groupId, session.uid(), maxGroupMembers, !session.isLegacy())) {
            case MEMBER -> session.reply(MsgType.ADD_GROUP, AddGroupAck.ok());
            case ASKED -> {
                log.info("join request user={} group={} {}", session.uid(), groupId, session.connection());
                session.reply(MsgType.ADD_GROUP, AddGroupAck.pendingApproval());
            }
            case CLOSED -> throw new ServiceError(Errno.FORBIDDEN, "group " + groupId
                    + " is closed: its creator approves each member, and this client cannot ask");
            case FULL -> throw new ServiceError(Errno.FORBIDDEN, "group " + groupId + " is full");
            case TOO_MANY_REQUESTS -> throw new ServiceError(Errno.FORBIDDEN,
                    "group " + groupId + " has too many requests waiting; try again later");
            case NO_SUCH_GROUP -> throw noSuchGroup(groupId);
        }
    }

    /** The requests waiting to join a group, for its creator. */
    void listRequests(Session session, GroupRequests request) {
        long groupId = request.groupid();
        requireCreator(session, groupId);
        List<GroupRequestsAck.Requester> waiting = groups.requests(groupId).stream()
                .map(u -> new GroupRequestsAck.Requester(u.id(), u.name())).toList();
        session.send(GroupRequestsAck.ok(waiting));
    }

    /** The creator's answer to one request: the user joins, or the request is gone. */
    void decide(Session session, GroupDecide request) {
        long groupId = request.groupid();
        long uid = request.userid();
        requireCreator(session, groupId);
        switch (groups.decide(groupId, uid, request.accept(), maxGroupMembers)) {
            case DONE -> {
                log.info("join request {} user={} group={} by={} {}", request.accept() ? "accepted" : "rejected",
                        uid, groupId, session.uid(), session.connection());
                session.send(GroupDecideAck.ok());
            }
            case NO_SUCH_REQUEST -> throw new ServiceError(Errno.NO_SUCH_TARGET,
                    "no request of user " + uid + " to join group " + groupId);
            case FULL -> throw new ServiceError(Errno.FORBIDDEN, "group " + groupId + " is full");
        }
    }

    private void requireCreator(Session session, long groupId) {
        GroupStore.Settings group = groups.settings(groupId).orElseThrow(() -> noSuchGroup(groupId));
        if (group.creator() != session.uid()) {
            throw new ServiceError(Errno.FORBIDDEN, "only the creator of group " + groupId + " decides who joins it");
        }
    }

    private static ServiceError noSuchGroup(long groupId) {
        return new ServiceError(Errno.NO_SUCH_TARGET, "no group with id " + groupId);
    }

    /** The user's friends with their live state. */
    List<Friend> friendsOf(long uid) {
        List<User> list = friends.friendsOf(uid);
        Set<Long> online = sessions.onlineAmong(list.stream().map(User::id).toList());
        return list.stream().map(f -> new Friend(f.id(), f.name(), presence(online, f.id()))).toList();
    }

    /** The user's groups with every member's live state and role; the user is online. */
    List<Group> groupsOf(long uid) {
        List<GroupRecord> list = groups.groupsOf(uid);
        List<Long> memberIds = new ArrayList<>();
        list.forEach(g -> g.members().forEach(m -> memberIds.add(m.id())));
        Set<Long> online = sessions.onlineAmong(memberIds);
        online.add(uid); // logging in right now, if not yet registered as online
        return list.stream().map(g -> new Group(g.id(), g.name(), g.desc(),
                g.members().stream().map(m -> member(m, online)).toList())).toList();
    }

    private static GroupUser member(Member m, Set<Long> online) {
        return new GroupUser(m.id(), m.name(), presence(online, m.id()), role(m.role()));
    }

    /** The one place a stored role becomes a wire role: a new constant on either side fails to compile here. */
    private static Role role(MemberRole role) {
        return switch (role) {
            case CREATOR -> Role.CREATOR;
            case NORMAL -> Role.NORMAL;
        };
    }

    private static Presence presence(Set<Long> online, long uid) {
        return online.contains(uid) ? Presence.ONLINE : Presence.OFFLINE;
    }
}
