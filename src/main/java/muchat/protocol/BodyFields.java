package muchat.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads a request's fields from the JSON object its frame was parsed into, with the
 * protocol's strict JSON types: an id or count must be a JSON integer (not {@code "12"},
 * {@code 1.5} or {@code true}), a text a JSON string (not {@code 12}, an array or an
 * object), a flag {@code true} or {@code false} (not {@code 1} or {@code "true"}). A
 * field that is missing or JSON null reads as null, for {@link Request#validate} to
 * judge; a field of the wrong type is errno 11 naming it.
 *
 * <p>The frame is parsed once, by the codec on the IO thread; reading a field here is a
 * lookup in that object, not a second pass through Jackson's data binding.
 *
 * <p>Threads: static and stateless; any thread.
 */
final class BodyFields {

    private BodyFields() {
    }

    /** An integer that fits a {@code long}, or null. */
    static Long integer(ObjectNode body, String field) throws ProtocolException {
        JsonNode node = present(body, field);
        if (node == null) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw wrongType(field);
        }
        return node.longValue();
    }

    /** An integer that fits an {@code int}, or null. */
    static Integer smallInteger(ObjectNode body, String field) throws ProtocolException {
        JsonNode node = present(body, field);
        if (node == null) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw wrongType(field);
        }
        return node.intValue();
    }

    /** A string, or null. */
    static String text(ObjectNode body, String field) throws ProtocolException {
        JsonNode node = present(body, field);
        if (node == null) {
            return null;
        }
        if (!node.isTextual()) {
            throw wrongType(field);
        }
        return node.textValue();
    }

    /** A boolean ({@code true} or {@code false}), or null. */
    static Boolean bool(ObjectNode body, String field) throws ProtocolException {
        JsonNode node = present(body, field);
        if (node == null) {
            return null;
        }
        if (!node.isBoolean()) {
            throw wrongType(field);
        }
        return node.booleanValue();
    }

    private static JsonNode present(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        return node == null || node.isNull() ? null : node;
    }

    private static ProtocolException wrongType(String field) {
        return new ProtocolException(Errno.MALFORMED, "field " + field + " has the wrong type");
    }
}
