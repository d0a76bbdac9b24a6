package muchat.protocol;

/** LOGIN (1): by {@code id}, or by {@code name} when no id is given. */
public record Login(Long id, String name, String password) implements Request {
    @Override
    public MsgType type() {
        return MsgType.LOGIN;
    }

    @Override
    public void validate() throws ProtocolException {
        if (id != null) {
            Fields.id("id", id);
        } else {
            Fields.text("id or name", name, 1, Fields.NAME_MAX);
        }
        Fields.text("password", password, 1, Fields.PASSWORD_MAX);
    }
}
