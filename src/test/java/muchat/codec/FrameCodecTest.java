package muchat.codec;

import static muchat.protocol.RawText.withBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import muchat.net.Buffer;
import muchat.protocol.ChatMessage;
import muchat.protocol.Errno;
import muchat.protocol.Json;
import muchat.protocol.LoginAck;
import muchat.protocol.Message;
import muchat.protocol.OneChat;
import muchat.protocol.SendAck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrameCodecTest {

    /** What a sink saw, in order: "msgid:json" for frames, "E<errno>[!]" for errors. */
    private static final class Recorder implements FrameSink {
        final List<String> events = new ArrayList<>();
        final List<FrameError> errors = new ArrayList<>();

        @Override
        public void frame(int msgid, ObjectNode body) {
            events.add(msgid + ":" + body);
        }

        @Override
        public void error(FrameError error) {
            errors.add(error);
            events.add("E" + error.errno().code() + (error.fatal() ? "!" : ""));
        }
    }

    private static byte[] tlv(int type, String json) {
        byte[] value = json.getBytes(StandardCharsets.UTF_8);
        return tlvHeader(type, value.length, value);
    }

    private static byte[] tlvHeader(int type, long length, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(type >>> 8);
        out.write(type);
        for (int shift = 24; shift >= 0; shift -= 8) {
            out.write((int) (length >>> shift));
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] nul(String json) {
        byte[] value = json.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[value.length + 1];
        System.arraycopy(value, 0, out, 0, value.length);
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** One frame of {@code json} (its {@code "msgid"} must be 6) in {@code framing}. */
    private static byte[] chatFrame(Framing framing, byte[] json) {
        return framing == Framing.NATIVE ? tlvHeader(6, json.length, json) : concat(json, new byte[] {0});
    }

    /** Decodes one bad chat frame then a HEARTBEAT: the bad one must cost only itself. */
    private static FrameError decodeBadThenHeartbeat(Framing framing, byte[] badJson) {
        byte[] heartbeat = framing == Framing.NATIVE ? tlv(101, "{\"msgid\":101}") : nul("{\"msgid\":101}");
        Recorder sink = new Recorder();
        FrameCodecs.of(framing, 65536).decode(new Buffer().append(concat(chatFrame(framing, badJson), heartbeat)), sink);
        assertEquals(List.of("E11", "101:{\"msgid\":101}"), sink.events, framing + " " + new String(badJson, StandardCharsets.ISO_8859_1));
        FrameError error = sink.errors.get(0);
        assertFalse(error.fatal());
        assertEquals(framing == Framing.NATIVE ? 6 : null, error.ref());
        return error;
    }

    /** Feeds {@code wire} in reads cut at {@code cuts}, decoding after each read. */
    private static List<String> decodeInReads(FrameCodec codec, byte[] wire, int... cuts) {
        Recorder sink = new Recorder();
        Buffer in = new Buffer();
        int from = 0;
        for (int cut : cuts) {
            in.append(wire, from, cut - from);
            codec.decode(in, sink);
            from = cut;
        }
        in.append(wire, from, wire.length - from);
        codec.decode(in, sink);
        return sink.events;
    }

    private static void assertEveryTwoCutSplitDecodesTheSame(Framing framing, byte[] wire, List<String> expected) {
        for (int a = 0; a <= wire.length; a++) {
            for (int b = a; b <= wire.length; b += 3) {
                assertEquals(expected, decodeInReads(FrameCodecs.of(framing, 65536), wire, a, b),
                        "cuts at " + a + " and " + b);
            }
        }
    }

    @Test
    void tlvFramesSplitAtEveryByteAndManyInOneReadDecodeInOrder() {
        byte[] wire = concat(tlv(1, "{\"id\":1,\"password\":\"\u5bc6\u7801pw\"}"), tlv(101, ""),
                tlv(6, "{\"msgid\":6,\"toid\":2,\"msg\":\"\ud83d\ude00\"}"));
        List<String> expected = List.of("1:{\"id\":1,\"password\":\"\u5bc6\u7801pw\"}", "101:{}",
                "6:{\"msgid\":6,\"toid\":2,\"msg\":\"\ud83d\ude00\"}");
        assertEquals(expected, decodeInReads(new TlvCodec(65536), wire));
        assertEveryTwoCutSplitDecodesTheSame(Framing.NATIVE, wire, expected);
        int[] everyByte = new int[wire.length];
        for (int i = 0; i < wire.length; i++) {
            everyByte[i] = i;
        }
        assertEquals(expected, decodeInReads(new TlvCodec(65536), wire, everyByte));
    }

    @Test
    void legacyMessagesSplitAtEveryByteAndManyInOneReadDecodeInOrder() {
        byte[] wire = concat(nul("{\"msgid\":1,\"id\":1,\"password\":\"\u5bc6\"}"), nul("{\"msgid\":6,\"msg\":\"a\"}"));
        List<String> expected = List.of("1:{\"msgid\":1,\"id\":1,\"password\":\"\u5bc6\"}", "6:{\"msgid\":6,\"msg\":\"a\"}");
        assertEquals(expected, decodeInReads(new NulJsonCodec(65536), wire));
        assertEveryTwoCutSplitDecodesTheSame(Framing.LEGACY, wire, expected);
    }

    @Test
    void aTlvLengthOverTheLimitIsFatalAndStopsDecoding() {
        Recorder sink = new Recorder();
        Buffer in = new Buffer().append(tlvHeader(6, 101, new byte[0])).append(tlv(101, ""));
        TlvCodec codec = new TlvCodec(100);
        codec.decode(in, sink);
        assertEquals(List.of("E13!"), sink.events);
        assertEquals(6, sink.errors.get(0).ref());
        assertFalse(in.isReadable());
        codec.decode(in.append(tlv(101, "")), sink);
        assertEquals(List.of("E13!"), sink.events, "nothing after a fatal error");
    }

    @Test
    void aTlvLengthAtTheLimitIsAccepted() {
        String json = "{\"msg\":\"" + "x".repeat(90) + "\"}";
        assertEquals(100, json.length());
        assertEquals(List.of("6:" + json), decodeInReads(new TlvCodec(100), tlv(6, json)));
    }

    @Test
    void theFullFourByteLengthIsUnsigned() {
        byte[] header = tlvHeader(6, 0xFFFF_FFFFL, new byte[0]);
        assertEquals(List.of("E13!"), decodeInReads(new TlvCodec(65536), header));
    }

    @Test
    void aLegacyMessageOverTheLimitIsFatalEvenBeforeItsNulArrives() {
        Recorder sink = new Recorder();
        NulJsonCodec codec = new NulJsonCodec(100);
        Buffer in = new Buffer().append("{\"msgid\":6,\"msg\":\"" + "x".repeat(60));
        codec.decode(in, sink);
        assertEquals(List.of(), sink.events);
        codec.decode(in.append("x".repeat(60)), sink);
        assertEquals(List.of("E13!"), sink.events);
    }

    @Test
    void aMismatchedMsgidCostsOnlyItsFrame() {
        byte[] wire = concat(tlv(6, "{\"msgid\":10,\"toid\":2,\"msg\":\"a\",\"cmid\":\"c1\"}"),
                tlv(6, "{\"msgid\":\"6\"}"), tlv(101, "{\"msgid\":101}"));
        Recorder sink = new Recorder();
        new TlvCodec(65536).decode(new Buffer().append(wire), sink);
        assertEquals(List.of("E11", "E11", "101:{\"msgid\":101}"), sink.events);
        FrameError e = sink.errors.get(0);
        assertEquals(6, e.ref());
        assertEquals("c1", e.cmid());
    }

    @Test
    void bodiesThatAreNotOneJsonObjectAreMalformedAndSkipped() {
        byte[] wire = concat(tlv(6, "[1,2]"), tlv(6, "{\"a\":"), tlv(6, "{} {}"), tlv(6, "null"),
                tlv(6, "{\"a\":1,\"a\":2}"), tlv(101, ""));
        assertEquals(List.of("E11", "E11", "E11", "E11", "E11", "101:{}"), decodeInReads(new TlvCodec(65536), wire));
    }

    @Test
    void legacyMessagesWithoutAnIntegerMsgidAreMalformedAndSkipped() {
        byte[] wire = concat(nul("{\"id\":1}"), nul("{\"msgid\":\"1\"}"), nul("{\"msgid\":1.5}"), nul("{oops"),
                nul(""), nul("{\"msgid\":3}"));
        assertEquals(List.of("E11", "E11", "E11", "E11", "E11", "3:{\"msgid\":3}"),
                decodeInReads(new NulJsonCodec(65536), wire));
    }

    @Test
    void aMalformedLoginIsAnsweredWithALoginAck() {
        Recorder sink = new Recorder();
        new TlvCodec(65536).decode(new Buffer().append(tlv(1, "{bad")), sink);
        Message reply = sink.errors.get(0).reply();
        assertInstanceOf(LoginAck.class, reply);
        assertEquals(Errno.MALFORMED.code(), ((LoginAck) reply).errno());
    }

    @Test
    void encodedMessagesDecodeToTheSameRecord() throws Exception {
        for (Framing framing : Framing.values()) {
            FrameCodec codec = FrameCodecs.of(framing, 65536);
            ChatMessage push = ChatMessage.toUser(3, "\u5f20\u4e09", 4, "hello \ud83d\ude00", 1000, 77).withSeq(12L);
            Buffer wire = codec.encode(push);
            codec.encode(103, Json.bytes(SendAck.of("c1", 77, 1000)), wire);
            Recorder sink = new Recorder();
            List<ObjectNode> bodies = new ArrayList<>();
            codec.decode(wire, new FrameSink() {
                @Override
                public void frame(int msgid, ObjectNode body) {
                    sink.frame(msgid, body);
                    bodies.add(body);
                }

                @Override
                public void error(FrameError error) {
                    sink.error(error);
                }
            });
            assertEquals(2, bodies.size(), framing + ": " + sink.events);
            assertTrue(sink.events.get(0).startsWith("6:{\"msgid\":6,"), sink.events.get(0));
            assertEquals(push, Json.read(bodies.get(0), ChatMessage.class));
            assertEquals(SendAck.of("c1", 77, 1000), Json.read(bodies.get(1), SendAck.class));
            assertFalse(wire.isReadable());
        }
    }

    @Test
    void aNativeFrameHasTheHeaderOfTheProtocol() {
        Buffer frame = new TlvCodec(65536).encode(new OneChat(2L, "hi", "c"));
        assertEquals(6, frame.peekUnsignedShort(0));
        assertEquals(frame.readableBytes() - TlvCodec.HEADER, frame.peekUnsignedInt(2));
        frame.skip(TlvCodec.HEADER);
        assertEquals("{\"msgid\":6,\"toid\":2,\"msg\":\"hi\",\"cmid\":\"c\"}",
                StandardCharsets.UTF_8.decode(frame.detach()).toString());
        Buffer legacy = new NulJsonCodec(65536).encode(new OneChat(2L, "hi", null));
        assertEquals("{\"msgid\":6,\"toid\":2,\"msg\":\"hi\"}\0",
                StandardCharsets.UTF_8.decode(legacy.detach()).toString());
    }

    @Test
    void theFirstByteChoosesTheFraming() {
        assertNull(FrameCodecs.sniff(new Buffer(), 65536));
        assertEquals(Framing.LEGACY, FrameCodecs.sniff(new Buffer().append("{\"msgid\""), 65536).framing());
        assertEquals(Framing.NATIVE, FrameCodecs.sniff(new Buffer().append(tlv(1, "{}")), 65536).framing());
        Buffer in = new Buffer().append("{");
        FrameCodecs.sniff(in, 65536);
        assertEquals(1, in.readableBytes(), "sniffing consumes nothing");
    }

    // ---- strict UTF-8 (docs/protocol.md section 1.4, errno 11) -------------------------------------

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "overlong 2-byte form of '/', C0 AF",
        "overlong 2-byte form of DEL, C1 BF",
        "overlong 3-byte form of '/', E0 80 AF",
        "overlong 4-byte form of '/', F0 80 80 AF",
        "CESU-8 high surrogate U+D800, ED A0 80",
        "CESU-8 low surrogate U+DFFF, ED BF BF",
        "CESU-8 surrogate pair of an emoji, ED A0 BD ED B8 80",
        "U+110000 above the last code point, F4 90 80 80",
        "lead byte F5, F5 80 80 80",
        "lead byte F8 of a 5-byte form, F8 88 80 80 80",
        "byte FF, FF",
        "continuation byte without a lead, 80",
        "2-byte sequence cut short, C3",
        "3-byte sequence cut short, E4 B8",
        "4-byte sequence cut short, F0 9F 98",
        "ASCII where a continuation byte belongs, C3 41",
    })
    void invalidUtf8IsErrno11InEitherFramingAndCostsOnlyItsFrame(String what, String hex) {
        for (Framing framing : Framing.values()) {
            byte[] inValue = withBytes("{\"msgid\":6,\"toid\":2,\"msg\":\"a", hex, "b\"}");
            byte[] inKey = withBytes("{\"msgid\":6,\"a", hex, "\":1}");
            byte[] atTheEnd = withBytes("{\"msgid\":6,\"msg\":\"a\"}", hex, "");
            for (byte[] json : List.of(inValue, inKey, atTheEnd)) {
                assertEquals("the text is not valid UTF-8", decodeBadThenHeartbeat(framing, json).errmsg(), what);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\ud800", "\\udbff", "\\udc00", "x\\udfffx", "\\udc00\\ud800", "\\ud83d\\u0041"})
    void anEscapedHalfOfASurrogatePairIsErrno11InEitherFraming(String escape) {
        for (Framing framing : Framing.values()) {
            for (String json : List.of("{\"msgid\":6,\"msg\":\"a" + escape + "\"}", "{\"msgid\":6,\"" + escape + "\":1}",
                    "{\"msgid\":6,\"extra\":[{\"deep\":\"" + escape + "\"}]}")) {
                FrameError error = decodeBadThenHeartbeat(framing, json.getBytes(StandardCharsets.UTF_8));
                assertEquals("a \\u escape holds half of a surrogate pair", error.errmsg(), json);
            }
        }
    }

    @Test
    void validTextAtEveryUtf8BoundaryIsAccepted() {
        // U+007F, U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF, then an escaped pair
        String text = "\u007f\u0080\u07ff\u0800\ud7ff\ue000\uffff\ud800\udc00\udbff\udfff";
        String json = "{\"msgid\":6,\"msg\":\"" + text + "\\ud83d\\ude00\"}";
        for (Framing framing : Framing.values()) {
            List<String> events = decodeInReads(FrameCodecs.of(framing, 65536),
                    chatFrame(framing, json.getBytes(StandardCharsets.UTF_8)));
            assertEquals(List.of("6:{\"msgid\":6,\"msg\":\"" + text + "\ud83d\ude00\"}"), events, framing.name());
        }
    }
}
