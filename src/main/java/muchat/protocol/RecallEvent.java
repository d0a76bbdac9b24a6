package muchat.protocol;

/**
 * RECALL (113) as the server sends it: user {@code id} recalled message {@code mid},
 * which they had sent to user {@code toid} or to group {@code groupid}.
 */
public record RecallEvent(long mid, long id, Long toid, Long groupid, Long seq) implements InboxPush {

    @Override
    public RecallEvent withSeq(Long seq) {
        return new RecallEvent(mid, id, toid, groupid, seq);
    }

    @Override
    public MsgType type() {
        return MsgType.RECALL;
    }
}
