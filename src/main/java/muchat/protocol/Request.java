package muchat.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A message a client sends. {@link #parse} turns a decoded frame body into the record
 * of its type and checks its field values, so a handler only sees valid requests.
 */
public interface Request extends Message {

    /** Checks the field values against the limits of docs/protocol.md section 3; errno 14 if one is off. */
    default void validate() throws ProtocolException {
    }

    /**
     * Reads and validates the request {@code body} of type {@code type}.
     *
     * @throws ProtocolException errno 12 if clients do not send {@code type}, 11 if a
     *                           field has the wrong JSON type, 14 if a value is invalid
     */
    static Request parse(MsgType type, ObjectNode body) throws ProtocolException {
        if (!type.isRequest()) {
            throw new ProtocolException(Errno.UNKNOWN_MSGID, "msgid " + type.code() + " is not a request");
        }
        Request request = type.read(body);
        request.validate();
        return request;
    }
}
