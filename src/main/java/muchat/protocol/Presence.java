package muchat.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** A user's {@code state} in friend and member lists. */
public enum Presence {
    ONLINE("online"),
    OFFLINE("offline");

    private final String wire;

    Presence(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }
}
