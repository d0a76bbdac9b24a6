package muchat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * The one Jackson mapper of muchat, set up for docs/protocol.md: a field of the wrong JSON
 * type is an error (an id sent as {@code "12"} or {@code 1.5}, a message sent as a
 * number), unknown fields are ignored (classic clients send extras such as
 * {@code time}), and null fields are left out of what we write.
 *
 * <p>Threads: everything here may be called from any thread.
 */
public final class Json {
    /** Shared and thread-safe once built; do not reconfigure it. */
    public static final ObjectMapper MAPPER = build();

    /** Writes into a caller's stream without closing it. */
    private static final ObjectWriter STREAM_WRITER = MAPPER.writer().without(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private static final DateTimeFormatter LOCAL_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private static final byte[] MSGID_PREFIX = "{\"msgid\":".getBytes(StandardCharsets.US_ASCII);

    private Json() {
    }

    private static ObjectMapper build() {
        JsonMapper mapper = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .build();
        // Scalars other than strings must not turn into strings, nor strings/floats into ids.
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        return mapper;
    }

    /**
     * Reads {@code body} into {@code type}.
     *
     * @throws ProtocolException errno 11 naming the field whose JSON type is wrong
     */
    public static <T> T read(ObjectNode body, Class<T> type) throws ProtocolException {
        try {
            return MAPPER.treeToValue(body, type);
        } catch (MismatchedInputException e) {
            String field = e.getPath().isEmpty() ? null : e.getPath().get(e.getPath().size() - 1).getFieldName();
            throw new ProtocolException(Errno.MALFORMED,
                    field == null ? "a field has the wrong type" : "field " + field + " has the wrong type");
        } catch (IOException e) {
            throw new ProtocolException(Errno.MALFORMED, Errno.MALFORMED.sentence());
        }
    }

    /**
     * Parses one JSON value from {@code bytes[offset, offset+length)}, which must be strict
     * UTF-8 (see {@link Utf8}) and whose strings and keys must be valid Unicode: an
     * escape of half a surrogate pair (backslash, {@code ud800}) without the other half
     * is refused like the bytes {@code ED A0 80}, as neither can be stored or sent on as
     * UTF-8. Runs on the IO thread that cuts the frame, so bad text never reaches a handler.
     *
     * @throws ProtocolException errno 11 if it is not well-formed JSON in valid UTF-8
     */
    public static JsonNode parse(byte[] bytes, int offset, int length) throws ProtocolException {
        if (!Utf8.isValid(bytes, offset, length)) {
            throw new ProtocolException(Errno.MALFORMED, "the text is not valid UTF-8");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes, offset, length);
        } catch (IOException e) {
            throw new ProtocolException(Errno.MALFORMED, "malformed JSON");
        }
        if (hasUnpairedSurrogate(node)) {
            throw new ProtocolException(Errno.MALFORMED, "a \\u escape holds half of a surrogate pair");
        }
        return node;
    }

    /** True if a string or key anywhere in {@code node} holds half of a surrogate pair. */
    private static boolean hasUnpairedSurrogate(JsonNode node) {
        if (node.isTextual()) {
            return hasUnpairedSurrogate(node.textValue());
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (hasUnpairedSurrogate(field.getKey()) || hasUnpairedSurrogate(field.getValue())) {
                    return true;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                if (hasUnpairedSurrogate(element)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++; // a pair, e.g. an emoji
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** The JSON of {@code value} as UTF-8 bytes. */
    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JSON of {@code value} as text, e.g. for the legacy fields that hold JSON texts. */
    public static String text(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the JSON of {@code value} to {@code out}, leaving it open. */
    public static void write(Object value, OutputStream out) {
        try {
            STREAM_WRITER.writeValue(out, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The msgid of a message this server serialised, which starts {@code {"msgid":N}}
     * ({@link Message} puts it first), read without parsing the rest; -1 if it does not.
     */
    public static int msgidOf(byte[] json) {
        int i = MSGID_PREFIX.length;
        if (json.length <= i || !Arrays.equals(json, 0, i, MSGID_PREFIX, 0, i)) {
            return -1;
        }
        int msgid = 0;
        for (; i < json.length && json[i] >= '0' && json[i] <= '9' && msgid < 65536; i++) {
            msgid = msgid * 10 + (json[i] - '0');
        }
        return msgid;
    }

    /** The {@code cmid} of a request body if it has a string one, else null (for ERROR replies). */
    public static String cmidOf(ObjectNode body) {
        JsonNode cmid = body.get("cmid");
        return cmid != null && cmid.isTextual() ? cmid.textValue() : null;
    }

    /** A second and its text: every message of a busy second asks for the same one. */
    private record FormattedSecond(long epochSecond, String text) {
    }

    /** Written by whichever thread formats a new second; immutable, so a stale read only costs a format. */
    private static volatile FormattedSecond lastFormatted = new FormattedSecond(Long.MIN_VALUE, "");

    /**
     * {@code epochMs} as the server's local time {@code YYYY-MM-DD HH:MM:SS}. SEND_ACK and
     * each push carry one, and the messages of one second share it, so the text of the
     * last second is kept rather than formatted again for each.
     */
    public static String localTime(long epochMs) {
        long second = Math.floorDiv(epochMs, 1000);
        FormattedSecond last = lastFormatted;
        if (last.epochSecond() != second) {
            last = new FormattedSecond(second, LOCAL_TIME.format(Instant.ofEpochSecond(second)));
            lastFormatted = last;
        }
        return last.text();
    }
}
