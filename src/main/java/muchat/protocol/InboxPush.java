package muchat.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.io.IOException;

/**
 * Anything stored in a user's inbox and pushed with its {@code seq}: a chat message, or a
 * friend request or reply. Only chat messages reach legacy connections (docs/protocol.md
 * section 7); the others still take their seq there, unseen.
 */
public interface InboxPush extends Message {

    /** The position in the recipient's inbox; null before it is numbered. */
    Long seq();

    /** The same push numbered {@code seq} in one recipient's inbox. */
    InboxPush withSeq(Long seq);

    /** Whether a classic client knows this msgid. */
    @JsonIgnore
    default boolean classic() {
        return false;
    }

    /** Reads a push that this server serialised (another instance's, through the cluster). */
    static InboxPush read(byte[] json) throws IOException {
        int msgid = Json.msgidOf(json);
        Class<? extends InboxPush> type = msgid == MsgType.FRIEND_REQUEST.code() ? FriendRequestNotice.class
                : msgid == MsgType.FRIEND_REPLY.code() ? FriendReplyNotice.class
                : ChatMessage.class;
        return Json.MAPPER.readValue(json, type);
    }
}
