package muchat.protocol;

/** SYNC (105): push the next page of inbox messages with seq above {@code after}, then SYNC_DONE. */
public record Sync(Long after) implements Request {
    @Override
    public MsgType type() {
        return MsgType.SYNC;
    }

    @Override
    public void validate() throws ProtocolException {
        Fields.count("after", after);
    }
}
