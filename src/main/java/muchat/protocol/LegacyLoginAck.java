package muchat.protocol;

import java.util.List;
import java.util.function.IntFunction;

/**
 * LOGIN_ACK (2) as the classic muduo ChatServer sent it, for legacy connections: the
 * elements of {@code friends}, {@code groups} (and each group's {@code users}) and
 * {@code offlinemsg} are JSON texts, strings holding JSON; empty lists are left out.
 */
public record LegacyLoginAck(int errno, String errmsg, Long id, String name, List<String> offlinemsg,
                             List<String> friends, List<String> groups) implements Message {

    /**
     * The classic client reads its login reply with one {@code recv} of this many bytes
     * and parses up to the NUL: the whole frame, NUL included, must fit.
     */
    public static final int CLASSIC_READ = 1024;

    /** A login ack that fits one classic read, and how many of each list it holds. */
    public record Fitted(LegacyLoginAck ack, int friends, int groups, int offline) {
    }

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

    /**
     * The successful login ack that fits {@link #CLASSIC_READ}: as many friends as fit,
     * then as many groups, then as many waiting messages (oldest first). Messages left out
     * follow as pushes; friends and groups left out are not shown by a classic client.
     */
    public static Fitted fit(long id, String name, List<Friend> friends, List<Group> groups,
                             List<ChatMessage> offline) {
        int f = fitting(friends.size(), n -> ok(id, name, friends.subList(0, n), List.of(), List.of()));
        List<Friend> someFriends = friends.subList(0, f);
        int g = fitting(groups.size(), n -> ok(id, name, someFriends, groups.subList(0, n), List.of()));
        List<Group> someGroups = groups.subList(0, g);
        int o = fitting(offline.size(), n -> ok(id, name, someFriends, someGroups, offline.subList(0, n)));
        return new Fitted(ok(id, name, someFriends, someGroups, offline.subList(0, o)), f, g, o);
    }

    /** The largest n up to {@code max} whose ack fits. */
    private static int fitting(int max, IntFunction<LegacyLoginAck> ack) {
        int n = 0;
        while (n < max && Json.bytes(ack.apply(n + 1)).length + 1 <= CLASSIC_READ) {
            n++;
        }
        return n;
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
