package muchat.protocol;

/**
 * SYNC_DONE (106): every inbox message up to {@code upto} has been pushed. {@code more}
 * says the replay stopped at a page's end with messages still waiting: the client asks
 * for the next page with SYNC {@code {"after": upto}}. A server that sends no
 * {@code more} reads as false.
 */
public record SyncDone(long upto, boolean more) implements Message {
    @Override
    public MsgType type() {
        return MsgType.SYNC_DONE;
    }
}
