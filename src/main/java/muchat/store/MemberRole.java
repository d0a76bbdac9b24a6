package muchat.store;

/** A member's role in a group, as stored; {@link #columnValue} is what the {@code role} column holds. */
public enum MemberRole {
    CREATOR("creator"),
    NORMAL("normal");

    private final String columnValue;

    MemberRole(String columnValue) {
        this.columnValue = columnValue;
    }

    public String columnValue() {
        return columnValue;
    }

    /** @throws IllegalArgumentException for a column value that is not a role */
    public static MemberRole fromColumnValue(String value) {
        for (MemberRole role : values()) {
            if (role.columnValue.equals(value)) {
                return role;
            }
        }
        throw new IllegalArgumentException("no such role: " + value);
    }
}
