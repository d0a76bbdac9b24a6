package muchat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** {@link Utf8} against the JDK's decoder, which follows the same table of the Unicode standard. */
class Utf8Test {
    private final CharsetDecoder jdk = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    /** Interesting values for bytes after the first two: ASCII, each end of the continuation range, beyond. */
    private static final int[] TAILS = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xF4, 0xFF};

    private final CharBuffer decoded = CharBuffer.allocate(8);

    private boolean jdkAccepts(byte[] bytes) {
        decoded.clear();
        return !jdk.reset().decode(ByteBuffer.wrap(bytes), decoded, true).isError();
    }

    private void assertAgreesWithTheJdk(byte... bytes) {
        assertEquals(jdkAccepts(bytes), Utf8.isValid(bytes, 0, bytes.length), () -> HexFormat.ofDelimiter(" ").formatHex(bytes));
    }

    @Test
    void everySequenceOfUpToTwoBytesAgreesWithTheJdk() {
        for (int a = 0; a < 256; a++) {
            assertAgreesWithTheJdk((byte) a);
            for (int b = 0; b < 256; b++) {
                assertAgreesWithTheJdk((byte) a, (byte) b);
            }
        }
    }

    @Test
    void everyLeadAndSecondByteOfLongerSequencesAgreesWithTheJdk() {
        for (int a = 0x80; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                for (int c : TAILS) {
                    assertAgreesWithTheJdk((byte) a, (byte) b, (byte) c);
                    for (int d : TAILS) {
                        assertAgreesWithTheJdk((byte) a, (byte) b, (byte) c, (byte) d);
                    }
                }
            }
        }
    }

    @Test
    void theAsciiFastPathStillFindsABadByteAtAnyPosition() {
        byte[] text = "0123456789abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.US_ASCII);
        for (int offset = 0; offset < 3; offset++) {
            assertTrue(Utf8.isValid(text, offset, text.length - offset));
            for (int bad = offset; bad < text.length; bad++) {
                byte[] copy = text.clone();
                copy[bad] = (byte) 0xC0;
                assertFalse(Utf8.isValid(copy, offset, text.length - offset), "0xC0 at " + bad);
                assertTrue(Utf8.isValid(copy, offset, bad - offset), "the bytes before it");
            }
        }
    }
}
