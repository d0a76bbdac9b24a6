package muchat.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.io.IOException;

/**
 * Anything stored in a user's inbox and pushed with its {@code seq}: a chat message, a
 * read receipt, a recall, or a friend request or reply (docs/protocol.md section 5). Only
 * chat messages not recalled reach legacy connections (docs/protocol.md section 7); the
 * others still take their seq there, unseen.
 */
public interface InboxPush extends Message {

    /** The position in the recipient's inbox; null before it is numbered. */
    Long seq();

    /** The same push numbered {@code seq} in one recipient's inbox. */
    InboxPush withSeq(Long seq);

    /** Whether a classic client is sent this push: it knows only chats, and is not sent a recalled one. */
    @JsonIgnore
    default boolean classic() {
        return false;
    }

    /** Reads a push that this server serialised (another instance's, through the cluster). */
    static InboxPush read(byte[] json) throws IOException {
        int msgid = Json.msgidOf(json);
        Class<? extends InboxPush> type = msgid == MsgType.FRIEND_REQUEST.code() ? FriendRequestNotice.class
                : msgid == MsgType.FRIEND_REPLY.code() ? FriendReplyNotice.class
                : msgid == MsgType.READ.code() ? ReadReceipt.class
                : msgid == MsgType.RECALL.code() ? RecallEvent.class
                : ChatMessage.class;
        return Json.MAPPER.readValue(json, type);
    }
}
