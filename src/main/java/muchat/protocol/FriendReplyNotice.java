package muchat.protocol;

/**
 * FRIEND_REPLY (117) as an event in the requester's inbox: user {@code id}, {@code name},
 * accepted their friend request or not.
 */
public record FriendReplyNotice(long id, String name, boolean accept, String time, Long ts, Long seq)
        implements InboxPush {

    public static FriendReplyNotice of(long id, String name, boolean accept, long ts) {
        return new FriendReplyNotice(id, name, accept, Json.localTime(ts), ts, null);
    }

    @Override
    public FriendReplyNotice withSeq(Long seq) {
        return new FriendReplyNotice(id, name, accept, time, ts, seq);
    }

    @Override
    public MsgType type() {
        return MsgType.FRIEND_REPLY;
    }
}
