package muchat.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import muchat.net.Buffer;
import muchat.protocol.Errno;
import muchat.protocol.Json;
import muchat.protocol.Message;
import muchat.protocol.ProtocolException;

/**
 * Native frames: u16 BE type, u32 BE length, {@code length} bytes of UTF-8 JSON
 * (length 0 is an empty object). A length above the limit is fatal (errno 13): the
 * stream cannot be resynchronised. A bad body is errno 11 and only costs that frame.
 *
 * <p>Threads: see {@link FrameCodec}.
 */
public final class TlvCodec implements FrameCodec {
    /** Bytes of type and length in front of every body. */
    public static final int HEADER = 6;

    private final int maxFrame;
    private boolean broken;

    public TlvCodec(int maxFrame) {
        this.maxFrame = maxFrame;
    }

    @Override
    public Framing framing() {
        return Framing.NATIVE;
    }

    @Override
    public void decode(Buffer in, FrameSink out) {
        while (!broken && in.readableBytes() >= HEADER && out.wantsMore()) {
            int type = in.peekUnsignedShort(0);
            long length = in.peekUnsignedInt(2);
            if (length > maxFrame) {
                broken = true;
                out.error(new FrameError(Errno.FRAME_TOO_LARGE, type, null,
                        "frame of " + length + " bytes is over the limit of " + maxFrame, true));
                break;
            }
            if (in.readableBytes() < HEADER + length) {
                return;
            }
            in.skip(HEADER);
            emitFrame(type, in, (int) length, out);
            in.skip((int) length);
        }
        if (broken) {
            in.skip(in.readableBytes());
        }
    }

    private static void emitFrame(int type, Buffer in, int length, FrameSink out) {
        if (length == 0) {
            out.frame(type, Json.MAPPER.createObjectNode());
            return;
        }
        ObjectNode body;
        try {
            JsonNode node = Json.parse(in.array(), in.readerIndex(), length);
            if (!(node instanceof ObjectNode object)) {
                out.error(new FrameError(Errno.MALFORMED, type, null, "the frame value is not a JSON object", false));
                return;
            }
            body = object;
        } catch (ProtocolException e) {
            out.error(new FrameError(Errno.MALFORMED, type, null, e.getMessage(), false));
            return;
        }
        JsonNode msgid = body.get("msgid");
        if (msgid != null && !(msgid.isIntegralNumber() && msgid.canConvertToLong() && msgid.longValue() == type)) {
            out.error(new FrameError(Errno.MALFORMED, type, Json.cmidOf(body),
                    "msgid " + msgid + " in the JSON differs from frame type " + type, false));
            return;
        }
        out.frame(type, body);
    }

    @Override
    public void encode(int msgid, byte[] json, Buffer out) {
        out.appendShort(msgid).appendInt(json.length).append(json);
    }

    @Override
    public Buffer encode(Message message) {
        Buffer frame = new Buffer();
        Json.write(message, new BufferOutputStream(frame));
        int length = frame.readableBytes();
        frame.prependInt(length);
        frame.prependShort(message.msgid());
        return frame;
    }
}
