package muchat.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Text with raw bytes spliced in, for tests that send what no well-behaved encoder would. */
public final class RawText {
    private RawText() {
    }

    /** {@code before}, then the bytes written in hex as {@code "C0 AF"}, then {@code after}. */
    public static byte[] withBytes(String before, String hex, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(HexFormat.ofDelimiter(" ").parseHex(hex));
        out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
