package muchat.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Groups, their members, and the requests to join closed groups. Groups are never
 * deleted, and neither their creator nor whether they are open ever changes, so reading
 * those needs no transaction. Whatever adds a member or a request runs in a transaction
 * that first locks the group's row ({@link Dialect#lockGroup}): the counts it checks
 * against the limit are then still true when it writes, on every server instance at once.
 *
 * <p>Threads: any thread.
 */
public final class GroupStore {
    /** What an ADD_GROUP came to. */
    public enum Joining {
        /** The user is a member, now or already. */
        MEMBER,
        /** The group is closed: the user's request waits for its creator, now or already. */
        ASKED,
        /** The group is closed and the user may not ask (see {@link #join}). */
        CLOSED,
        /** The group has as many members as it may have. */
        FULL,
        /** As many requests wait as the group may have members. */
        TOO_MANY_REQUESTS,
        NO_SUCH_GROUP
    }

    /** What the creator's decision on a request came to. */
    public enum Decision {
        /** Accepted (the user is a member) or rejected (the request is gone). */
        DONE,
        NO_SUCH_REQUEST,
        /** Not accepted: the group has as many members as it may have. */
        FULL
    }

    /** What never changes about a group. */
    public record Settings(long creator, boolean open) {
    }

    private static final String INSERT_GROUP =
            "INSERT INTO chat_groups (name, description, creator, is_open) VALUES (?, ?, ?, ?)";
    private static final String GROUPS_OF =
            "SELECT g.id, g.name, g.description, m.uid, u.name AS member_name, m.role"
            + " FROM group_members mine"
            + " JOIN chat_groups g ON g.id = mine.group_id"
            + " JOIN group_members m ON m.group_id = g.id"
            + " JOIN users u ON u.id = m.uid"
            + " WHERE mine.uid = ? ORDER BY g.id, m.uid";
    /** Everything {@link #join} and {@link #decide} weigh, in one round trip. */
    private static final String STATE = "SELECT g.is_open,"
            + " (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) AS members,"
            + " (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id AND m.uid = ?) AS member,"
            + " (SELECT COUNT(*) FROM group_requests r WHERE r.group_id = g.id) AS requests,"
            + " (SELECT COUNT(*) FROM group_requests r WHERE r.group_id = g.id AND r.uid = ?) AS asked"
            + " FROM chat_groups g WHERE g.id = ?";
    private static final String LAST_MID = "SELECT COALESCE(MAX(mid), 0) FROM messages WHERE to_group = ?";
    private static final String REQUESTS = "SELECT r.uid, u.name FROM group_requests r"
            + " JOIN users u ON u.id = r.uid WHERE r.group_id = ? ORDER BY r.uid";

    private final Jdbc jdbc;
    private final String insertMember;
    private final String insertRequest;
    private final String lockGroup;
    private final String startReading;

    GroupStore(Jdbc jdbc) {
        this.jdbc = jdbc;
        this.insertMember = jdbc.dialect().insertIgnore()
                + " INTO group_members (group_id, uid, role, history_after) VALUES (?, ?, ?, ?)";
        this.insertRequest = jdbc.dialect().insertIgnore() + " INTO group_requests (group_id, uid) VALUES (?, ?)";
        this.lockGroup = jdbc.dialect().lockGroup();
        this.startReading = jdbc.dialect().insertIgnore() + " INTO conversations (uid, peer, group_id, read_mid)"
                + " SELECT ?, 0, ?, COALESCE(MAX(mid), 0) FROM messages WHERE to_group = ?";
    }

    /**
     * Creates a group whose first member is its creator, with role CREATOR; returns its
     * id. Anyone may join an open group; a closed one only with its creator's approval.
     */
    public long create(long creatorId, String name, String desc, boolean open) throws StoreException {
        return jdbc.inTransaction(c -> {
            long id = insertGroup(c, creatorId, name, desc, open);
            addMember(c, id, creatorId, MemberRole.CREATOR, 0);
            return id;
        });
    }

    public boolean exists(long groupId) throws StoreException {
        return jdbc.first("SELECT id FROM chat_groups WHERE id = ?", rs -> true, groupId).isPresent();
    }

    /** The group's creator and whether it is open; empty for no such group. */
    public Optional<Settings> settings(long groupId) throws StoreException {
        return jdbc.first("SELECT creator, is_open FROM chat_groups WHERE id = ?",
                rs -> new Settings(rs.getLong("creator"), rs.getBoolean("is_open")), groupId);
    }

    /**
     * Lets {@code uid} into the group: an open group as a NORMAL member (a member already
     * keeps the first role), a closed one as a request for its creator to decide, if
     * {@code mayAsk}. A group never gets more than {@code maxMembers} members, nor more
     * than as many requests waiting.
     */
    public Joining join(long groupId, long uid, int maxMembers, boolean mayAsk) throws StoreException {
        return jdbc.inTransaction(c -> {
            if (!lock(c, groupId)) {
                return Joining.NO_SUCH_GROUP;
            }
            State state = state(c, groupId, uid);
            if (state.member()) {
                return Joining.MEMBER;
            }
            if (state.members() >= maxMembers) {
                return Joining.FULL;
            }
            if (state.open()) {
                addMember(c, groupId, uid, MemberRole.NORMAL, 0);
                return Joining.MEMBER;
            }
            if (!mayAsk) {
                return Joining.CLOSED;
            }
            if (state.asked()) {
                return Joining.ASKED;
            }
            if (state.requests() >= maxMembers) {
                return Joining.TOO_MANY_REQUESTS;
            }
            Jdbc.update(c, insertRequest, groupId, uid);
            return Joining.ASKED;
        });
    }

    /** The users whose requests to join the group wait, by ascending id. */
    public List<User> requests(long groupId) throws StoreException {
        return jdbc.list(REQUESTS, rs -> new User(rs.getLong("uid"), rs.getString("name")), groupId);
    }

    /**
     * Settles {@code uid}'s request to join the group: accepted, they become a NORMAL
     * member whose history of the group starts now; rejected, the request is gone (they
     * may ask again). A group already full keeps the request.
     */
    public Decision decide(long groupId, long uid, boolean accept, int maxMembers) throws StoreException {
        return jdbc.inTransaction(c -> {
            if (!lock(c, groupId)) {
                return Decision.NO_SUCH_REQUEST;
            }
            State state = state(c, groupId, uid);
            if (!state.asked()) {
                return Decision.NO_SUCH_REQUEST;
            }
            if (accept && state.members() >= maxMembers) {
                return Decision.FULL;
            }
            Jdbc.update(c, "DELETE FROM group_requests WHERE group_id = ? AND uid = ?", groupId, uid);
            if (accept) {
                long lastMid = Jdbc.list(c, LAST_MID, rs -> rs.getLong(1), groupId).get(0);
                addMember(c, groupId, uid, MemberRole.NORMAL, lastMid);
            }
            return Decision.DONE;
        });
    }

    /**
     * Where {@code uid}'s HISTORY of the group starts: only messages with a greater mid
     * (0: all of them); empty if they are not a member.
     */
    public OptionalLong historyAfter(long groupId, long uid) throws StoreException {
        Optional<Long> after = jdbc.first("SELECT history_after FROM group_members WHERE group_id = ? AND uid = ?",
                rs -> rs.getLong(1), groupId, uid);
        return after.map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    public boolean isMember(long groupId, long uid) throws StoreException {
        return jdbc.first("SELECT uid FROM group_members WHERE group_id = ? AND uid = ?",
                rs -> true, groupId, uid).isPresent();
    }

    /** Every member of the group, creator included, by ascending id; empty for no such group. */
    public List<Long> memberIds(long groupId) throws StoreException {
        return jdbc.list("SELECT uid FROM group_members WHERE group_id = ? ORDER BY uid",
                rs -> rs.getLong("uid"), groupId);
    }

    /** The groups {@code uid} belongs to, by ascending id, each with all its members. */
    public List<GroupRecord> groupsOf(long uid) throws StoreException {
        Map<Long, GroupRow> groups = new LinkedHashMap<>();
        for (GroupRow row : jdbc.list(GROUPS_OF, GroupRow::read, uid)) {
            groups.merge(row.id, row, GroupRow::absorb);
        }
        List<GroupRecord> out = new ArrayList<>(groups.size());
        for (GroupRow row : groups.values()) {
            out.add(new GroupRecord(row.id, row.name, row.desc, row.members));
        }
        return out;
    }

    private static long insertGroup(Connection c, long creatorId, String name, String desc, boolean open)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_GROUP, Statement.RETURN_GENERATED_KEYS)) {
            Jdbc.bind(ps, name, desc, creatorId, open);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /**
     * Adds the member, whose read position of the group starts at its last message: what
     * was written before they joined is not unread (see {@link ConversationStore}).
     */
    private void addMember(Connection c, long groupId, long uid, MemberRole role, long historyAfter) throws SQLException {
        Jdbc.update(c, insertMember, groupId, uid, role.columnValue(), historyAfter);
        Jdbc.update(c, startReading, uid, groupId, groupId);
    }

    /** Locks the group's row for the rest of the transaction; false if there is no such group. */
    private boolean lock(Connection c, long groupId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(lockGroup)) {
            Jdbc.bind(ps, groupId);
            if (!ps.execute()) {
                return ps.getUpdateCount() > 0;
            }
            try (ResultSet rs = ps.getResultSet()) {
                return rs.next();
            }
        }
    }

    private static State state(Connection c, long groupId, long uid) throws SQLException {
        return Jdbc.list(c, STATE, State::read, uid, uid, groupId).get(0);
    }

    /** A locked group as {@link #join} and {@link #decide} see it, for one user. */
    private record State(boolean open, long members, boolean member, long requests, boolean asked) {
        static State read(ResultSet rs) throws SQLException {
            return new State(rs.getBoolean("is_open"), rs.getLong("members"), rs.getLong("member") > 0,
                    rs.getLong("requests"), rs.getLong("asked") > 0);
        }
    }

    /** One row of GROUPS_OF: a group with one member, merged per group into all of them. */
    private record GroupRow(long id, String name, String desc, List<Member> members) {
        static GroupRow read(ResultSet rs) throws SQLException {
            Member member = new Member(rs.getLong("uid"), rs.getString("member_name"),
                    MemberRole.fromColumnValue(rs.getString("role")));
            return new GroupRow(rs.getLong("id"), rs.getString("name"), rs.getString("description"),
                    new ArrayList<>(List.of(member)));
        }

        GroupRow absorb(GroupRow other) {
            members.addAll(other.members);
            return this;
        }
    }
}
