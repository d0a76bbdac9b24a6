package muchat.codec;

/** The two framings of docs/protocol.md sections 1.1 and 1.2. */
public enum Framing {
    /** u16 type, u32 length, JSON body. */
    NATIVE,
    /** The classic client's JSON object followed by one NUL byte. */
    LEGACY
}
