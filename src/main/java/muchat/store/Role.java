package muchat.store;

/** A member's role in a group; {@link #wireName} is what the protocol and the database hold. */
public enum Role {
    CREATOR("creator"),
    NORMAL("normal");

    private final String wireName;

    Role(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** @throws IllegalArgumentException for a name that is not a role */
    public static Role fromWireName(String name) {
        for (Role role : values()) {
            if (role.wireName.equals(name)) {
                return role;
            }
        }
        throw new IllegalArgumentException("no such role: " + name);
    }
}
