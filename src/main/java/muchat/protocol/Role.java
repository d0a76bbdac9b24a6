package muchat.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** A member's {@code role} in a group. */
public enum Role {
    CREATOR("creator"),
    NORMAL("normal");

    private final String wire;

    Role(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }
}
