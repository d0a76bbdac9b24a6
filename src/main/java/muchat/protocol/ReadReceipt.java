package muchat.protocol;

/**
 * READ (112) as the server sends it: user {@code id} has read the conversation up to
 * message {@code mid}. In a one-to-one conversation {@code peer} is the reader, as the
 * recipient names the conversation; receipts are only sent for those.
 */
public record ReadReceipt(long id, Long peer, Long groupid, long mid, Long seq) implements InboxPush {

    @Override
    public ReadReceipt withSeq(Long seq) {
        return new ReadReceipt(id, peer, groupid, mid, seq);
    }

    @Override
    public MsgType type() {
        return MsgType.READ;
    }
}
