package muchat.codec;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Receives what a {@link FrameCodec} cuts from the input, in order. */
public interface FrameSink {

    /** One complete frame: its msgid (not checked against MsgType) and its JSON object. */
    void frame(int msgid, ObjectNode body);

    /** A frame that could not be read; after a fatal one nothing more is decoded. */
    void error(FrameError error);

    /**
     * Asked before each frame: false stops decoding, and the rest of the input stays in
     * the buffer for a later {@link FrameCodec#decode} (the connection paused reading).
     */
    default boolean wantsMore() {
        return true;
    }
}
