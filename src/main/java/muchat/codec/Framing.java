package muchat.codec;

/** The two framings of PROTOCOL.md section 1. */
public enum Framing {
    /** u16 type, u32 length, JSON value. */
    NATIVE,
    /** The classic client's JSON object followed by one NUL byte. */
    LEGACY
}
