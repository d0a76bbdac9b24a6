package muchat.store;

import java.util.List;

/** A stored group with all its members (creator included); the service turns it into LOGIN_ACK's groups. */
public record GroupRecord(long id, String name, String desc, List<Member> members) {
    public GroupRecord {
        members = List.copyOf(members);
    }
}
