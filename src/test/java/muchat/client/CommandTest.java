package muchat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CommandTest {

    @Test
    void theClassicCommandsParse() {
        assertEquals(new Command.Chat(5, "hello"), Command.parse("chat:5:hello"));
        assertEquals(new Command.AddFriend(7), Command.parse("addfriend:7"));
        assertEquals(new Command.CreateGroup("cpp", "c++ fans", true), Command.parse("creategroup:cpp:c++ fans"));
        assertEquals(new Command.AddGroup(3), Command.parse("addgroup:3"));
        assertEquals(new Command.GroupChat(3, "hi all"), Command.parse("groupchat:3:hi all"));
        assertEquals(new Command.LoginOut(), Command.parse("loginout"));
        assertEquals(new Command.Help(), Command.parse("help"));
        assertEquals(new Command.Friends(), Command.parse(" friends "));
        assertEquals(new Command.Groups(), Command.parse("groups"));
    }

    @Test
    void privateGroupCommandsParse() {
        assertEquals(new Command.CreateGroup("club", "ours: only", false), Command.parse("createprivate:club:ours: only"));
        assertEquals(new Command.Requests(7), Command.parse("requests:7"));
        assertEquals(new Command.Decide(7, 5, true), Command.parse("approve:7:5"));
        assertEquals(new Command.Decide(7, 5, false), Command.parse("reject:7:5"));
        assertInvalid("createprivate:club", "createprivate:groupname:groupdesc");
        assertInvalid("approve:7", "approve:groupid:userid");
        assertInvalid("reject:7:bob", "not an id");
        for (String command : new String[] {"createprivate:", "requests:", "approve:", "reject:"}) {
            assertTrue(Command.HELP.contains(command), "help lists " + command);
        }
    }

    @Test
    void conversationCommandsParse() {
        assertEquals(new Command.Convs(), Command.parse("convs"));
        assertEquals(new Command.Read(5L, null), Command.parse("read:5"));
        assertEquals(new Command.Read(null, 7L), Command.parse("read:g7"));
        assertEquals(new Command.Recall(42), Command.parse("recall:42"));
        assertInvalid("read", "read:id or read:g<groupid>");
        assertInvalid("recall:x", "not an id");
        for (String command : new String[] {"convs", "read:", "recall:"}) {
            assertTrue(Command.HELP.contains(command), "help lists " + command);
        }
    }

    @Test
    void friendRequestCommandsParse() {
        assertEquals(new Command.FriendRequests(), Command.parse("requests"));
        assertEquals(new Command.AnswerFriend(5, true), Command.parse("accept:5"));
        assertEquals(new Command.AnswerFriend(5, false), Command.parse("reject:5"));
        assertEquals(new Command.TypingTo(5), Command.parse("typing:5"));
        assertInvalid("accept", "accept:userid");
        for (String command : new String[] {"requests ", "accept:", "reject:userid", "typing:"}) {
            assertTrue(Command.HELP.contains(command), "help lists " + command);
        }
    }

    @Test
    void aMessageKeepsItsOwnColons() {
        assertEquals(new Command.Chat(5, "time: 10:30, ok?"), Command.parse("chat:5:time: 10:30, ok?"));
        assertEquals(new Command.CreateGroup("g", "", true), Command.parse("creategroup:g:"));
    }

    @Test
    void historyTakesAUserOrAGroup() {
        assertEquals(new Command.History(5L, null), Command.parse("history:5"));
        assertEquals(new Command.History(null, 7L), Command.parse("history:g7"));
    }

    @Test
    void badLinesSayWhatToType() {
        assertInvalid("chat:5", "chat:friendid:message");
        assertInvalid("chat:bob:hi", "not an id");
        assertInvalid("addfriend:0", "not an id");
        assertInvalid("addfriend", "addfriend:friendid");
        assertInvalid("history:gx", "not an id");
        assertInvalid("dance", "help");
        assertInvalid("", "help");
    }

    private static void assertInvalid(String line, String hint) {
        Command.Invalid invalid = assertInstanceOf(Command.Invalid.class, Command.parse(line), line);
        assertTrue(invalid.reason().contains(hint), invalid.reason());
    }
}
