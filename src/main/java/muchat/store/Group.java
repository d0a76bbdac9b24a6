package muchat.store;

import java.util.List;

/** A group with all its members (creator included), as listed in LOGIN_ACK. */
public record Group(long id, String name, String desc, List<Member> members) {
    public Group {
        members = List.copyOf(members);
    }
}
