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

/**
 * Groups and their members. Groups are never deleted, which is why {@link #join} may
 * check for the group and then insert without a transaction.
 *
 * <p>Threads: any thread.
 */
public final class GroupStore {
    private static final String INSERT_GROUP =
            "INSERT INTO chat_groups (name, description, creator) VALUES (?, ?, ?)";
    private static final String GROUPS_OF =
            "SELECT g.id, g.name, g.description, m.uid, u.name AS member_name, m.role"
            + " FROM group_members mine"
            + " JOIN chat_groups g ON g.id = mine.group_id"
            + " JOIN group_members m ON m.group_id = g.id"
            + " JOIN users u ON u.id = m.uid"
            + " WHERE mine.uid = ? ORDER BY g.id, m.uid";

    private final Jdbc jdbc;
    private final String insertMember;

    GroupStore(Jdbc jdbc) {
        this.jdbc = jdbc;
        this.insertMember = jdbc.dialect().insertIgnore()
                + " INTO group_members (group_id, uid, role) VALUES (?, ?, ?)";
    }

    /** Creates a group whose first member is its creator, with role CREATOR; returns its id. */
    public long create(long creatorId, String name, String desc) throws StoreException {
        return jdbc.inTransaction(c -> {
            long id = insertGroup(c, creatorId, name, desc);
            addMember(c, id, creatorId, Role.CREATOR);
            return id;
        });
    }

    public boolean exists(long groupId) throws StoreException {
        return jdbc.first("SELECT id FROM chat_groups WHERE id = ?", rs -> true, groupId).isPresent();
    }

    /**
     * Adds {@code uid} as a NORMAL member; joining twice keeps the first role.
     *
     * @return false if there is no such group
     */
    public boolean join(long groupId, long uid) throws StoreException {
        if (!exists(groupId)) {
            return false;
        }
        jdbc.update(insertMember, groupId, uid, Role.NORMAL.wireName());
        return true;
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
    public List<Group> groupsOf(long uid) throws StoreException {
        Map<Long, GroupRow> groups = new LinkedHashMap<>();
        for (GroupRow row : jdbc.list(GROUPS_OF, GroupRow::read, uid)) {
            groups.merge(row.id, row, GroupRow::absorb);
        }
        List<Group> out = new ArrayList<>(groups.size());
        for (GroupRow row : groups.values()) {
            out.add(new Group(row.id, row.name, row.desc, row.members));
        }
        return out;
    }

    private static long insertGroup(Connection c, long creatorId, String name, String desc)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_GROUP, Statement.RETURN_GENERATED_KEYS)) {
            Jdbc.bind(ps, name, desc, creatorId);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private void addMember(Connection c, long groupId, long uid, Role role) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(insertMember)) {
            Jdbc.bind(ps, groupId, uid, role.wireName());
            ps.executeUpdate();
        }
    }

    /** One row of GROUPS_OF: a group with one member, merged per group into all of them. */
    private record GroupRow(long id, String name, String desc, List<Member> members) {
        static GroupRow read(ResultSet rs) throws SQLException {
            Member member = new Member(rs.getLong("uid"), rs.getString("member_name"),
                    Role.fromWireName(rs.getString("role")));
            return new GroupRow(rs.getLong("id"), rs.getString("name"), rs.getString("description"),
                    new ArrayList<>(List.of(member)));
        }

        GroupRow absorb(GroupRow other) {
            members.addAll(other.members);
            return this;
        }
    }
}
