package muchat.protocol;

/** SYNC_DONE (106): every inbox message up to {@code upto} has been pushed. */
public record SyncDone(long upto) implements Message {
    @Override
    public MsgType type() {
        return MsgType.SYNC_DONE;
    }
}
