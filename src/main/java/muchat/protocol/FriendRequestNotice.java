package muchat.protocol;

/** FRIEND_REQUEST (116), in the recipient's inbox: user {@code id}, {@code name}, asks to be friends. */
public record FriendRequestNotice(long id, String name, String time, Long ts, Long seq) implements InboxPush {

    public static FriendRequestNotice of(long id, String name, long ts) {
        return new FriendRequestNotice(id, name, Json.localTime(ts), ts, null);
    }

    @Override
    public FriendRequestNotice withSeq(Long seq) {
        return new FriendRequestNotice(id, name, time, ts, seq);
    }

    @Override
    public MsgType type() {
        return MsgType.FRIEND_REQUEST;
    }
}
