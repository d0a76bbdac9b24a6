package muchat.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * What reaches a user through their inbox, numbered with its {@code seq} there: a chat
 * message, a read receipt or a recall (docs/protocol.md section 5).
 */
public interface Pushed extends Message {

    /** The recipient's inbox sequence; null before it is numbered. */
    Long seq();

    /** The same push as it reaches one recipient, numbered {@code seq} in that inbox. */
    Pushed withSeq(Long seq);

    /**
     * False for what a classic client never gets: receipts, recalls, and a message that
     * was recalled before it reached the client (docs/protocol.md section 7).
     */
    boolean shownToLegacy();

    /** Reads a push from its JSON, as {@link Json#bytes} wrote it. */
    static Pushed read(byte[] json) throws IOException {
        JsonNode node = Json.MAPPER.readTree(json);
        MsgType type = MsgType.of(node.path("msgid").asInt());
        Class<? extends Pushed> kind = type == MsgType.READ ? ReadReceipt.class
                : type == MsgType.RECALL ? RecallEvent.class : ChatMessage.class;
        return Json.MAPPER.treeToValue(node, kind);
    }
}
