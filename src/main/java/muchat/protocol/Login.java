package muchat.protocol;

/**
 * LOGIN (1): by {@code id}, or by {@code name} when no id is given; on {@code device}
 * (null: {@link #DEFAULT_DEVICE}), one of the user's devices (docs/protocol.md section 2).
 */
public record Login(Long id, String name, String password, String device) implements Request {
    /** The device of a native LOGIN that names none. */
    public static final String DEFAULT_DEVICE = "default";
    /** The device every classic (legacy) connection is. */
    public static final String LEGACY_DEVICE = "legacy";
    public static final int DEVICE_MAX = 32;

    /** A login on the default device. */
    public Login(Long id, String name, String password) {
        this(id, name, password, null);
    }

    @Override
    public MsgType type() {
        return MsgType.LOGIN;
    }

    /** The device this login is for, the default if it names none. */
    public String deviceOrDefault() {
        return device == null ? DEFAULT_DEVICE : device;
    }

    @Override
    public void validate() throws ProtocolException {
        if (id != null) {
            Fields.id("id", id);
        } else {
            Fields.text("id or name", name, 1, Fields.NAME_MAX);
        }
        Fields.text("password", password, 1, Fields.PASSWORD_MAX);
        Fields.optionalText("device", device, 1, DEVICE_MAX);
        Fields.shown("device", device);
    }
}
