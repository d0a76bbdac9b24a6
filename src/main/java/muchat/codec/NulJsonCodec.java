package muchat.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import muchat.net.Buffer;
import muchat.protocol.Errno;
import muchat.protocol.Json;
import muchat.protocol.Message;
import muchat.protocol.ProtocolException;

/**
 * Legacy frames of the classic muduo ChatClient: one JSON object, then one NUL byte;
 * the msgid is inside the object. A message longer than the limit is fatal (errno 13);
 * a bad object, or one without an integer msgid, is errno 11 and only costs itself.
 *
 * <p>Threads: see {@link FrameCodec}. Remembers how far it has searched for the NUL, so
 * a large message arriving in many small reads is scanned once.
 */
public final class NulJsonCodec implements FrameCodec {
    private final int maxFrame;
    private int scanned;
    private boolean broken;

    public NulJsonCodec(int maxFrame) {
        this.maxFrame = maxFrame;
    }

    @Override
    public Framing framing() {
        return Framing.LEGACY;
    }

    @Override
    public void decode(Buffer in, FrameSink out) {
        while (!broken && in.isReadable() && out.wantsMore()) {
            int nul = in.indexOf((byte) 0, scanned);
            int length = nul < 0 ? in.readableBytes() : nul;
            if (length > maxFrame) {
                broken = true;
                out.error(new FrameError(Errno.FRAME_TOO_LARGE, null, null,
                        "message of more than " + maxFrame + " bytes", true));
                break;
            }
            if (nul < 0) {
                scanned = in.readableBytes();
                return;
            }
            scanned = 0;
            emitFrame(in, length, out);
            in.skip(length + 1);
        }
        if (broken) {
            in.skip(in.readableBytes());
        }
    }

    private static void emitFrame(Buffer in, int length, FrameSink out) {
        JsonNode node;
        try {
            node = Json.parse(in.array(), in.readerIndex(), length);
        } catch (ProtocolException e) {
            out.error(new FrameError(Errno.MALFORMED, null, null, e.getMessage(), false));
            return;
        }
        if (!(node instanceof ObjectNode body)) {
            out.error(new FrameError(Errno.MALFORMED, null, null, "the message is not a JSON object", false));
            return;
        }
        JsonNode msgid = body.get("msgid");
        if (msgid == null || !msgid.isIntegralNumber() || !msgid.canConvertToInt()) {
            out.error(new FrameError(Errno.MALFORMED, null, Json.cmidOf(body), "msgid is missing or not an integer", false));
            return;
        }
        out.frame(msgid.intValue(), body);
    }

    @Override
    public void encode(int msgid, byte[] json, Buffer out) {
        out.append(json).appendByte(0);
    }

    @Override
    public Buffer encode(Message message) {
        Buffer frame = new Buffer();
        Json.write(message, new BufferOutputStream(frame));
        return frame.appendByte(0);
    }
}
