package muchat.protocol;

/** REG (4): creates an account; the reply's {@code id} is the new user's id. */
public record Reg(String name, String password) implements Request {
    @Override
    public MsgType type() {
        return MsgType.REG;
    }

    @Override
    public void validate() throws ProtocolException {
        Fields.text("name", name, 1, Fields.NAME_MAX);
        Fields.shown("name", name);
        Fields.text("password", password, Fields.PASSWORD_MIN, Fields.PASSWORD_MAX);
    }
}
