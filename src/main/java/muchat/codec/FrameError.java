package muchat.codec;

import muchat.protocol.ErrorReply;
import muchat.protocol.Errno;
import muchat.protocol.Message;
import muchat.protocol.MsgType;

/**
 * A frame the codec could not turn into a message body.
 *
 * @param errno  11 (malformed) or 13 (too large)
 * @param ref    the msgid of the offending frame if known, else null
 * @param cmid   the frame's {@code cmid} if it could be read, else null
 * @param errmsg a sentence for the person
 * @param fatal  true if the stream cannot be resynchronised: answer, then close
 */
public record FrameError(Errno errno, Integer ref, String cmid, String errmsg, boolean fatal) {

    /**
     * The answer docs/protocol.md prescribes (section 4; section 8, item 3), e.g. LOGIN_ACK
     * for a bad LOGIN, else ERROR.
     */
    public Message reply() {
        MsgType request = ref == null ? null : MsgType.of(ref);
        if (request == null) {
            return new ErrorReply(errno.code(), errmsg, ref, cmid);
        }
        return ErrorReply.forRequest(request, errno, errmsg, cmid);
    }
}
