package muchat.codec;

import muchat.net.Buffer;

/** Chooses a connection's framing from its first byte (docs/protocol.md section 1). */
public final class FrameCodecs {
    private FrameCodecs() {
    }

    /**
     * A new codec for a connection whose first input is in {@code in}: legacy if the
     * first byte is {@code '{'}, native otherwise; null while nothing has arrived.
     * Consumes nothing.
     */
    public static FrameCodec sniff(Buffer in, int maxFrame) {
        if (!in.isReadable()) {
            return null;
        }
        return in.peekByte(0) == '{' ? new NulJsonCodec(maxFrame) : new TlvCodec(maxFrame);
    }

    /** A new codec of the given framing. */
    public static FrameCodec of(Framing framing, int maxFrame) {
        return framing == Framing.NATIVE ? new TlvCodec(maxFrame) : new NulJsonCodec(maxFrame);
    }
}
