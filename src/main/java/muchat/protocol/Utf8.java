package muchat.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Strict UTF-8 validation of frame bodies, before Jackson sees them. Jackson refuses
 * bytes F8..FF, misplaced continuation bytes and cut sequences, but decodes the rest
 * leniently: the overlong {@code C0 AF} becomes {@code /}, a surrogate encoded in three
 * bytes ({@code ED A0 80}, as CESU-8 does) an unpaired surrogate, and {@code F4 90 80 80}
 * (above U+10FFFF) or {@code F5}..{@code F7} garbage. Accepting such text would let a
 * name pose as another one and would store text that cannot be written back as UTF-8.
 *
 * <p>The rules are those of the Unicode standard (table 3-7, "well-formed UTF-8 byte
 * sequences"), which is also what the JDK's UTF-8 decoder enforces; this class checks
 * without decoding or allocating, because every frame of every connection passes here.
 *
 * <p>Threads: stateless, any thread.
 */
final class Utf8 {
    /** Reads 8 bytes of an array as one long, for the ASCII fast path. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** The top bit of each of 8 bytes: all clear means 8 ASCII characters. */
    private static final long NON_ASCII = 0x8080_8080_8080_8080L;

    private Utf8() {
    }

    /** True if {@code bytes[offset, offset+length)} is well-formed UTF-8 (empty is). */
    static boolean isValid(byte[] bytes, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (true) {
            // Most frames are mostly ASCII: skip it 8 bytes at a time, then byte by byte.
            while (end - i >= Long.BYTES && ((long) LONGS.get(bytes, i) & NON_ASCII) == 0) {
                i += Long.BYTES;
            }
            while (i < end && bytes[i] >= 0) {
                i++;
            }
            if (i == end) {
                return true;
            }
            int sequence = sequenceLength(bytes, i, end);
            if (sequence == 0) {
                return false;
            }
            i += sequence;
        }
    }

    /**
     * The length (2-4) of the well-formed sequence that starts with the non-ASCII byte at
     * {@code bytes[i]}, or 0 if there is none: a continuation byte where a character should
     * start, a lead byte that never occurs, a wrong or missing continuation byte.
     */
    private static int sequenceLength(byte[] bytes, int i, int end) {
        int lead = bytes[i] & 0xFF;
        int continuations;
        // The second byte's range is narrower after four lead bytes; that is what
        // excludes overlong forms, surrogates and code points above U+10FFFF.
        int lowest = 0x80;
        int highest = 0xBF;
        if (lead < 0xC2) {
            return 0; // 80..BF continue a character; C0 and C1 would only start overlong forms
        } else if (lead < 0xE0) {
            continuations = 1;
        } else if (lead < 0xF0) {
            continuations = 2;
            if (lead == 0xE0) {
                lowest = 0xA0; // E0 80..9F would be an overlong form of U+0000..U+07FF
            } else if (lead == 0xED) {
                highest = 0x9F; // ED A0..BF would be the surrogates U+D800..U+DFFF
            }
        } else if (lead < 0xF5) {
            continuations = 3;
            if (lead == 0xF0) {
                lowest = 0x90; // F0 80..8F would be an overlong form of U+0000..U+FFFF
            } else if (lead == 0xF4) {
                highest = 0x8F; // F4 90.. would be above U+10FFFF
            }
        } else {
            return 0; // F5..FF would start code points above U+10FFFF, or nothing at all
        }
        if (end - i <= continuations) {
            return 0; // cut short by the end of the frame
        }
        int second = bytes[i + 1] & 0xFF;
        if (second < lowest || second > highest) {
            return 0;
        }
        for (int k = 2; k <= continuations; k++) {
            if ((bytes[i + k] & 0xC0) != 0x80) {
                return 0;
            }
        }
        return continuations + 1;
    }
}
