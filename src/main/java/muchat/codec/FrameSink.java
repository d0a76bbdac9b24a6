package muchat.codec;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Receives what a {@link FrameCodec} cuts from the input, in order. */
public interface FrameSink {

    /** One complete frame: its msgid (not checked against MsgType) and its JSON object. */
    void frame(int msgid, ObjectNode body);

    /** A frame that could not be read; after a fatal one nothing more is decoded. */
    void error(FrameError error);
}
