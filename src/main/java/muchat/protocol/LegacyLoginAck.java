package muchat.protocol;

import java.util.List;

/**
 * LOGIN_ACK (2) as the classic muduo ChatServer sent it, for legacy connections: the
 * elements of {@code friends}, {@code groups} (and each group's {@code users}) and
 * {@code offlinemsg} are JSON texts, strings holding JSON; empty lists are left out.
 */
public record LegacyLoginAck(int errno, String errmsg, Long id, String name, List<String> offlinemsg,
                             List<String> friends, List<String> groups) implements Message {

    /** A group as a classic client parses it: its users are JSON texts too. */
    private record LegacyGroup(long id, String groupname, String groupdesc, List<String> users) {
    }

    /** A successful login; {@code offline} are the waiting messages, oldest first. */
    public static LegacyLoginAck ok(long id, String name, List<Friend> friends, List<Group> groups,
                                    List<ChatMessage> offline) {
        List<String> groupTexts = groups.stream()
                .map(g -> Json.text(new LegacyGroup(g.id(), g.groupname(), g.groupdesc(), texts(g.users()))))
                .toList();
        return new LegacyLoginAck(Errno.OK.code(), null, id, name,
                nullIfEmpty(texts(offline)), nullIfEmpty(texts(friends)), nullIfEmpty(groupTexts));
    }

    public static LegacyLoginAck error(Errno errno, String errmsg) {
        return new LegacyLoginAck(errno.code(), errmsg, null, null, null, null, null);
    }

    @Override
    public MsgType type() {
        return MsgType.LOGIN_ACK;
    }

    private static List<String> texts(List<?> values) {
        return values.stream().map(Json::text).toList();
    }

    private static List<String> nullIfEmpty(List<String> list) {
        return list.isEmpty() ? null : list;
    }
}
