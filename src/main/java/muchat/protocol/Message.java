package muchat.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Anything that travels as one frame: its JSON always carries {@code "msgid"}, first.
 */
@JsonPropertyOrder({"msgid"})
public interface Message {

    @JsonIgnore
    MsgType type();

    @JsonProperty("msgid")
    default int msgid() {
        return type().code();
    }
}
