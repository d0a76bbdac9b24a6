package muchat.protocol;

import java.util.List;

/** One element of LOGIN_ACK's {@code groups}, with its members. */
public record Group(long id, String groupname, String groupdesc, List<GroupUser> users) {
}
