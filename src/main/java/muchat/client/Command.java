package muchat.client;

/**
 * One line typed after login, parsed. The text after the last required field is taken
 * whole, so a message may itself contain {@code ':'}.
 */
public sealed interface Command {

    String HELP = """
            commands:
              help                              this list
              chat:friendid:message             a message to one user
              addfriend:friendid                ask a user to be friends (or accept their request)
              requests                          the friend requests you got since login
              accept:userid                     accept a user's friend request
              reject:userid                     turn a user's friend request down
              typing:userid                     tell a friend you are typing to them
              creategroup:groupname:groupdesc   a new group anyone may join, you are its creator
              createprivate:groupname:groupdesc a new group whose members you approve
              addgroup:groupid                  join a group (or ask to, if it is private)
              requests:groupid                  who asks to join your private group
              approve:groupid:userid            let a user into your private group
              reject:groupid:userid             turn a user's request down
              groupchat:groupid:message         a message to a group
              history:id                        recent messages with user id
              history:g<groupid>                recent messages in a group, e.g. history:g7
                                                (history marks the conversation read)
              convs                             your conversations, newest first, with unread counts
              read:id                           mark the conversation with user id read
              read:g<groupid>                   mark a group's conversation read
              recall:mid                        take back a message you sent in the last 2 minutes
              friends                           your friends (as of login)
              groups                            your groups and their members (as of login)
              loginout                          log out, back to the menu
            """;

    record Help() implements Command {
    }

    record Chat(long toid, String msg) implements Command {
    }

    record AddFriend(long friendid) implements Command {
    }

    record FriendRequests() implements Command {
    }

    record AnswerFriend(long userid, boolean accept) implements Command {
    }

    record TypingTo(long toid) implements Command {
    }

    /** {@code open} false: a private group, whose creator approves each member. */
    record CreateGroup(String groupname, String groupdesc, boolean open) implements Command {
    }

    record Requests(long groupid) implements Command {
    }

    record Decide(long groupid, long userid, boolean accept) implements Command {
    }

    record AddGroup(long groupid) implements Command {
    }

    record GroupChat(long groupid, String msg) implements Command {
    }

    /** Exactly one of {@code peer} and {@code groupid} is set. */
    record History(Long peer, Long groupid) implements Command {
    }

    /** Exactly one of {@code peer} and {@code groupid} is set. */
    record Read(Long peer, Long groupid) implements Command {
    }

    record Recall(long mid) implements Command {
    }

    record Convs() implements Command {
    }

    record Friends() implements Command {
    }

    record Groups() implements Command {
    }

    record LoginOut() implements Command {
    }

    /** A line that is not a command; {@code reason} tells the person what to type. */
    record Invalid(String reason) implements Command {
    }

    /** Parses one input line; never null. */
    static Command parse(String line) {
        String trimmed = line.strip();
        int colon = trimmed.indexOf(':');
        String name = colon < 0 ? trimmed : trimmed.substring(0, colon);
        String args = colon < 0 ? null : trimmed.substring(colon + 1);
        try {
            return switch (name) {
                case "help" -> new Help();
                case "friends" -> new Friends();
                case "convs" -> new Convs();
                case "groups" -> new Groups();
                case "loginout" -> new LoginOut();
                case "chat" -> {
                    String[] p = fields(args, 2, "chat:friendid:message");
                    yield new Chat(id(p[0]), p[1]);
                }
                case "addfriend" -> new AddFriend(id(fields(args, 1, "addfriend:friendid")[0]));
                case "creategroup" -> {
                    String[] p = fields(args, 2, "creategroup:groupname:groupdesc");
                    yield new CreateGroup(p[0], p[1], true);
                }
                case "createprivate" -> {
                    String[] p = fields(args, 2, "createprivate:groupname:groupdesc");
                    yield new CreateGroup(p[0], p[1], false);
                }
                case "requests" -> args == null ? new FriendRequests()
                        : new Requests(id(fields(args, 1, "requests:groupid")[0]));
                case "accept" -> new AnswerFriend(id(fields(args, 1, "accept:userid")[0]), true);
                case "typing" -> new TypingTo(id(fields(args, 1, "typing:userid")[0]));
                case "reject" -> args != null && !args.contains(":")
                        ? new AnswerFriend(id(args), false) : decide(name, args);
                case "approve" -> decide(name, args);
                case "addgroup" -> new AddGroup(id(fields(args, 1, "addgroup:groupid")[0]));
                case "groupchat" -> {
                    String[] p = fields(args, 2, "groupchat:groupid:message");
                    yield new GroupChat(id(p[0]), p[1]);
                }
                case "history" -> history(fields(args, 1, "history:id or history:g<groupid>")[0]);
                case "read" -> read(fields(args, 1, "read:id or read:g<groupid>")[0]);
                case "recall" -> new Recall(id(fields(args, 1, "recall:mid")[0]));
                case "" -> new Invalid("type help for the commands");
                default -> new Invalid("unknown command " + name + "; type help for the commands");
            };
        } catch (IllegalArgumentException e) {
            return new Invalid(e.getMessage());
        }
    }

    private static Decide decide(String name, String args) {
        String[] p = fields(args, 2, name + ":groupid:userid");
        return new Decide(id(p[0]), id(p[1]), name.equals("approve"));
    }

    private static History history(String target) {
        return target.startsWith("g") ? new History(null, id(target.substring(1))) : new History(id(target), null);
    }

    private static Read read(String target) {
        return target.startsWith("g") ? new Read(null, id(target.substring(1))) : new Read(id(target), null);
    }

    /** Splits {@code args} into {@code n} fields; the last one keeps any further colons. */
    private static String[] fields(String args, int n, String format) {
        String[] parts = args == null ? new String[0] : args.split(":", n);
        if (parts.length < n) {
            throw new IllegalArgumentException("format: " + format);
        }
        return parts;
    }

    private static long id(String text) {
        try {
            long id = Long.parseLong(text.strip());
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // fall through to the sentence below
        }
        throw new IllegalArgumentException("not an id: '" + text + "'");
    }
}
