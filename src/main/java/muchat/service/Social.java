package muchat.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import muchat.protocol.AddFriend;
import muchat.protocol.AddFriendAck;
import muchat.protocol.AddGroup;
import muchat.protocol.AddGroupAck;
import muchat.protocol.CreateGroup;
import muchat.protocol.CreateGroupAck;
import muchat.protocol.Errno;
import muchat.protocol.Friend;
import muchat.protocol.Group;
import muchat.protocol.GroupUser;
import muchat.protocol.MsgType;
import muchat.protocol.Presence;
import muchat.protocol.Role;
import muchat.store.Database;
import muchat.store.FriendStore;
import muchat.store.GroupStore;
import muchat.store.Member;
import muchat.store.User;

/**
 * Friends and groups: ADD_FRIEND, CREATE_GROUP, ADD_GROUP, and the friend and group lists
 * (with live presence) that LOGIN_ACK carries.
 *
 * <p>Threads: handlers run on the requesting session's strand; the class keeps no state.
 */
final class Social {
    private final FriendStore friends;
    private final GroupStore groups;
    private final SessionRegistry sessions;
    private final UserDirectory directory;

    Social(Database database, SessionRegistry sessions, UserDirectory directory) {
        this.friends = database.friends();
        this.groups = database.groups();
        this.sessions = sessions;
        this.directory = directory;
    }

    void addFriend(Session session, AddFriend request) {
        long friendId = request.friendid();
        if (friendId == session.uid()) {
            throw new ServiceError(Errno.INVALID_FIELD, "you cannot add yourself as a friend");
        }
        if (directory.name(friendId).isEmpty()) {
            throw new ServiceError(Errno.NO_SUCH_TARGET, "no user with id " + friendId);
        }
        friends.add(session.uid(), friendId);
        ChatService.reply(session, MsgType.ADD_FRIEND, AddFriendAck.ok());
    }

    void createGroup(Session session, CreateGroup request) {
        String desc = request.groupdesc() == null ? "" : request.groupdesc();
        long groupId = groups.create(session.uid(), request.groupname(), desc);
        ChatService.reply(session, MsgType.CREATE_GROUP, CreateGroupAck.ok(groupId));
    }

    void joinGroup(Session session, AddGroup request) {
        if (!groups.join(request.groupid(), session.uid())) {
            throw new ServiceError(Errno.NO_SUCH_TARGET, "no group with id " + request.groupid());
        }
        ChatService.reply(session, MsgType.ADD_GROUP, AddGroupAck.ok());
    }

    /** The user's friends with their live state. */
    List<Friend> friendsOf(long uid) {
        List<User> list = friends.friendsOf(uid);
        Set<Long> online = sessions.onlineAmong(list.stream().map(User::id).toList());
        return list.stream().map(f -> new Friend(f.id(), f.name(), presence(online, f.id()))).toList();
    }

    /** The user's groups with every member's live state and role; the user is online. */
    List<Group> groupsOf(long uid) {
        List<muchat.store.Group> list = groups.groupsOf(uid);
        List<Long> memberIds = new ArrayList<>();
        list.forEach(g -> g.members().forEach(m -> memberIds.add(m.id())));
        Set<Long> online = sessions.onlineAmong(memberIds);
        online.add(uid); // logging in right now, if not yet registered as online
        return list.stream().map(g -> new Group(g.id(), g.name(), g.desc(),
                g.members().stream().map(m -> member(m, online)).toList())).toList();
    }

    private static GroupUser member(Member m, Set<Long> online) {
        return new GroupUser(m.id(), m.name(), presence(online, m.id()), Role.valueOf(m.role().name()));
    }

    private static Presence presence(Set<Long> online, long uid) {
        return online.contains(uid) ? Presence.ONLINE : Presence.OFFLINE;
    }
}
