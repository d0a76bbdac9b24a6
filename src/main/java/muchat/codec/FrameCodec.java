package muchat.codec;

import muchat.net.Buffer;
import muchat.protocol.Message;

/**
 * Cuts frames out of a connection's input and encodes messages into frames. Frames
 * are cut by length or terminator, never by read boundaries: {@link #decode} takes
 * what is complete and leaves a partial frame in the buffer for the next read.
 *
 * <p>The codec parses the JSON (frames are small, so the IO thread can afford it) and
 * checks framing only; whether a msgid is known is the dispatcher's business (errno 12).
 * A body that is not strict UTF-8 is refused there like bad JSON (errno 11, see
 * {@link muchat.protocol.Json#parse}), so no handler ever sees such text.
 *
 * <p>Threads: one instance per connection, decoding on that connection's loop thread;
 * the encode methods keep no state and may be called from any thread.
 */
public interface FrameCodec {

    /** Default largest frame (JSON bytes), docs/protocol.md section 1.3. */
    int DEFAULT_MAX_FRAME = 65536;

    Framing framing();

    /**
     * Consumes every complete frame in {@code in} and hands each to {@code out}, as a
     * body or as an error, until {@code out} wants no more. After a fatal error the rest
     * of the input is discarded.
     */
    void decode(Buffer in, FrameSink out);

    /**
     * Appends one frame holding {@code json}, a message already serialised (it must carry
     * its {@code msgid}, as every {@link Message} does): a signal to several devices is
     * serialised once, and one relayed by another instance is sent on as it came.
     */
    void encode(int msgid, byte[] json, Buffer out);

    /** A new buffer holding exactly the frame of {@code message}, JSON written in place. */
    Buffer encode(Message message);
}
