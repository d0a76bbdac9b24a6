package muchat.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import muchat.codec.FrameError;
import muchat.codec.FrameSink;
import muchat.protocol.AddFriend;
import muchat.protocol.AddFriendAck;
import muchat.protocol.AddGroup;
import muchat.protocol.AddGroupAck;
import muchat.protocol.ChatMessage;
import muchat.protocol.Conversations;
import muchat.protocol.ConversationsAck;
import muchat.protocol.CreateGroup;
import muchat.protocol.CreateGroupAck;
import muchat.protocol.Errno;
import muchat.protocol.ErrorReply;
import muchat.protocol.Friend;
import muchat.protocol.FriendReply;
import muchat.protocol.FriendReplyAck;
import muchat.protocol.FriendReplyNotice;
import muchat.protocol.FriendRequestNotice;
import muchat.protocol.Group;
import muchat.protocol.GroupChat;
import muchat.protocol.GroupDecide;
import muchat.protocol.GroupDecideAck;
import muchat.protocol.GroupRequests;
import muchat.protocol.GroupRequestsAck;
import muchat.protocol.History;
import muchat.protocol.HistoryAck;
import muchat.protocol.Json;
import muchat.protocol.Kicked;
import muchat.protocol.Login;
import muchat.protocol.LoginAck;
import muchat.protocol.LoginOut;
import muchat.protocol.Message;
import muchat.protocol.MsgType;
import muchat.protocol.OneChat;
import muchat.protocol.PresenceNotice;
import muchat.protocol.ProtocolException;
import muchat.protocol.Read;
import muchat.protocol.ReadReceipt;
import muchat.protocol.Recall;
import muchat.protocol.RecallEvent;
import muchat.protocol.RecvAck;
import muchat.protocol.Reg;
import muchat.protocol.RegAck;
import muchat.protocol.Request;
import muchat.protocol.SendAck;
import muchat.protocol.Sync;
import muchat.protocol.SyncDone;
import muchat.protocol.Typing;
import muchat.protocol.TypingNotice;

/**
 * The client's side of the protocol, without sockets or a terminal: turns commands
 * into requests and incoming frames into lines to show, drops pushes it has shown
 * already, acknowledges what it showed, and after a reconnect logs in again and
 * resends the chats that got no SEND_ACK.
 *
 * <p>Threads: every public method may be called from any thread; they are serialised
 * on this object. In {@link ChatClient} the console thread sends commands, the reader
 * thread delivers frames and connection events.
 */
public final class ClientSession implements FrameSink {

    /** Where requests go: the current connection. */
    public interface Link {
        /** Sends {@code message}; false if there is no connection right now. */
        boolean send(Message message);
    }

    /** Where lines for the person go. */
    public interface View {
        void show(String line);
    }

    private final Link link;
    private final View view;
    private final Inbox inbox = new Inbox();
    private final Outbox outbox;

    private Login credentials;
    private Login loginInFlight;
    private CompletableFuture<LoginAck> loginReply;
    private CompletableFuture<RegAck> regReply;
    private boolean loggedIn;
    private long userId;
    private List<Friend> friends = List.of();
    private List<Group> groups = List.of();
    /** Friend requests shown since login and not answered here: requester id to name. */
    private final Map<Long, String> friendRequests = new LinkedHashMap<>();
    /** Names of the friends of the login and of users met since by friend requests, for PRESENCE and TYPING. */
    private final Map<Long, String> names = new HashMap<>();
    private boolean syncInFlight;
    /** Requests sent on this connection whose one reply has not come yet. */
    private int repliesDue;
    private int replayed;
    /** The conversation of each HISTORY sent and not answered yet, in order: marked read once shown. */
    private final Deque<Command.Read> toMarkRead = new ArrayDeque<>();
    /** For each CONVERSATIONS sent and not answered yet, in order: the conversation to mark read, if any. */
    private final Deque<Optional<Command.Read>> convsFor = new ArrayDeque<>();

    public ClientSession(Link link, View view) {
        this(link, view, new Outbox());
    }

    ClientSession(Link link, View view, Outbox outbox) {
        this.link = link;
        this.view = view;
        this.outbox = outbox;
    }

    // ---- from the console ------------------------------------------------------------

    /** Sends LOGIN; the future completes with the server's answer (an error if not connected). */
    public synchronized CompletableFuture<LoginAck> login(Login request) {
        CompletableFuture<LoginAck> reply = new CompletableFuture<>();
        loginReply = reply;
        loginInFlight = request;
        if (!link.send(request)) {
            failPendingReplies("not connected to the server");
        }
        return reply;
    }

    /** Sends REG; the future completes with the server's answer (an error if not connected). */
    public synchronized CompletableFuture<RegAck> register(Reg request) {
        CompletableFuture<RegAck> reply = new CompletableFuture<>();
        regReply = reply;
        if (!link.send(request)) {
            failPendingReplies("not connected to the server");
        }
        return reply;
    }

    /**
     * True from a successful login until LOGINOUT or KICKED, across reconnects (while the
     * session logs in again by itself): the console then takes commands, not the menu.
     */
    public synchronized boolean hasUser() {
        return credentials != null;
    }

    /** Chats sent but not yet confirmed by SEND_ACK. */
    public synchronized int unconfirmed() {
        return outbox.size();
    }

    /**
     * Waits until every chat has its SEND_ACK and every other request its reply, so a
     * script's last command is answered before the client quits; false on timeout.
     */
    public synchronized boolean awaitAnswers(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (outbox.size() > 0 || repliesDue > 0) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /** Carries out one command typed after login. */
    public synchronized void execute(Command command) {
        if (command instanceof Command.Help) {
            Command.HELP.lines().forEach(view::show);
        } else if (command instanceof Command.Invalid i) {
            view.show(i.reason());
        } else if (command instanceof Command.Friends) {
            Render.friends(friends).forEach(view::show);
        } else if (command instanceof Command.Groups) {
            Render.groups(groups).forEach(view::show);
        } else if (command instanceof Command.Chat c) {
            String cmid = outbox.nextCmid();
            sendChat(cmid, new OneChat(c.toid(), c.msg(), cmid));
        } else if (command instanceof Command.GroupChat c) {
            String cmid = outbox.nextCmid();
            sendChat(cmid, new GroupChat(c.groupid(), c.msg(), cmid));
        } else if (command instanceof Command.AddFriend a) {
            sendRequest(new AddFriend(a.friendid()));
        } else if (command instanceof Command.FriendRequests) {
            Render.friendRequests(friendRequests).forEach(view::show);
        } else if (command instanceof Command.AnswerFriend a) {
            friendRequests.remove(a.userid());
            sendRequest(new FriendReply(a.userid(), a.accept()));
        } else if (command instanceof Command.TypingTo t) {
            sendSignal(new Typing(t.toid()));
        } else if (command instanceof Command.CreateGroup c) {
            sendRequest(new CreateGroup(c.groupname(), c.groupdesc(), c.open()));
        } else if (command instanceof Command.AddGroup a) {
            sendRequest(new AddGroup(a.groupid()));
        } else if (command instanceof Command.Requests r) {
            sendRequest(new GroupRequests(r.groupid()));
        } else if (command instanceof Command.Decide d) {
            sendRequest(new GroupDecide(d.groupid(), d.userid(), d.accept()));
        } else if (command instanceof Command.History h) {
            if (sendRequest(new History(h.peer(), h.groupid(), null, null))) {
                toMarkRead.add(new Command.Read(h.peer(), h.groupid()));
            }
        } else if (command instanceof Command.Convs) {
            if (sendRequest(new Conversations())) {
                convsFor.add(Optional.empty());
            }
        } else if (command instanceof Command.Read r) {
            // READ needs the conversation's last mid, which CONVERSATIONS_ACK tells.
            if (sendRequest(new Conversations())) {
                convsFor.add(Optional.of(r));
            }
        } else if (command instanceof Command.Recall r) {
            if (valid(new Recall(r.mid()))) {
                link.send(new Recall(r.mid()));
            }
        } else if (command instanceof Command.LoginOut) {
            logout();
        }
    }

    /** Keeps the chat until its SEND_ACK; sends it now if logged in, else after the next login. */
    private void sendChat(String cmid, Request chat) {
        if (!valid(chat)) {
            return;
        }
        outbox.add(cmid, chat);
        if (!loggedIn || !link.send(chat)) {
            view.show("(not connected: will send after reconnecting)");
        }
    }

    /**
     * Sends a request that gets exactly one reply (ADD_FRIEND, CREATE_GROUP, ADD_GROUP,
     * HISTORY, CONVERSATIONS, 117, 118, 119); false if it was not sent.
     */
    private boolean sendRequest(Request request) {
        if (!valid(request)) {
            return false;
        }
        if (link.send(request)) {
            repliesDue++;
            return true;
        }
        view.show("not connected to the server; try again in a moment");
        return false;
    }

    /** Sends a request that has no reply (TYPING); if there is no connection, it is of no use later. */
    private void sendSignal(Request request) {
        if (valid(request) && loggedIn) {
            link.send(request);
        }
    }

    private void replyArrived() {
        repliesDue = Math.max(0, repliesDue - 1);
        notifyAll();
    }

    /** Checks {@code request} as the server would, so the person learns at once what is wrong. */
    private boolean valid(Request request) {
        try {
            request.validate();
            return true;
        } catch (ProtocolException e) {
            view.show(e.getMessage());
            return false;
        }
    }

    private void logout() {
        link.send(new LoginOut());
        if (outbox.size() > 0) {
            view.show(outbox.size() + " unconfirmed message(s) dropped");
        }
        credentials = null;
        loggedIn = false;
        outbox.clear();
    }

    // ---- from the connection ------------------------------------------------------------

    /** A new connection is up: logs in again if a user was logged in before it dropped. */
    public synchronized void connected() {
        if (credentials != null) {
            loginInFlight = credentials;
            link.send(credentials);
        }
    }

    /** The connection dropped: nothing is logged in until the next LOGIN_ACK. */
    public synchronized void disconnected() {
        loggedIn = false;
        syncInFlight = false;
        repliesDue = 0; // their replies died with the connection
        toMarkRead.clear();
        convsFor.clear();
        notifyAll();
        failPendingReplies("connection lost");
    }

    /** Sends RECV_ACK for what was shown since the last one; call after each read's frames. */
    public synchronized void flushAck() {
        OptionalLong due = inbox.ackDue();
        if (due.isPresent() && loggedIn) {
            link.send(new RecvAck(due.getAsLong()));
        }
    }

    @Override
    public synchronized void frame(int msgid, ObjectNode body) {
        MsgType type = MsgType.of(msgid);
        if (type == null) {
            return; // a newer server's message this client does not know; nothing to show
        }
        try {
            switch (type) {
                case LOGIN_ACK -> onLoginAck(Json.read(body, LoginAck.class));
                case REG_ACK -> onRegAck(Json.read(body, RegAck.class));
                case ONE_CHAT, GROUP_CHAT -> onChat(Json.read(body, ChatMessage.class));
                case READ -> {
                    ReadReceipt r = Json.read(body, ReadReceipt.class);
                    onInboxed(r.seq(), Render.receipt(r, userId));
                }
                case RECALL -> {
                    RecallEvent r = Json.read(body, RecallEvent.class);
                    onInboxed(r.seq(), Render.recall(r, userId));
                }
                case CONVERSATIONS_ACK -> onConversations(Json.read(body, ConversationsAck.class));
                case SEND_ACK -> onSendAck(Json.read(body, SendAck.class));
                case SYNC_DONE -> onSyncDone(Json.read(body, SyncDone.class));
                case ADD_FRIEND -> onAddFriendAck(Json.read(body, AddFriendAck.class));
                case FRIEND_REQUEST -> onFriendRequest(Json.read(body, FriendRequestNotice.class));
                case FRIEND_REPLY -> onFriendReply(body);
                case PRESENCE -> onPresence(Json.read(body, PresenceNotice.class));
                case TYPING -> onTyping(Json.read(body, TypingNotice.class));
                case CREATE_GROUP -> onCreateGroupAck(Json.read(body, CreateGroupAck.class));
                case ADD_GROUP -> onAddGroupAck(Json.read(body, AddGroupAck.class));
                case HISTORY_ACK -> onHistory(Json.read(body, HistoryAck.class));
                case GROUP_REQUESTS -> onRequests(Json.read(body, GroupRequestsAck.class));
                case GROUP_DECIDE -> onDecideAck(Json.read(body, GroupDecideAck.class));
                case ERROR -> onError(Json.read(body, ErrorReply.class));
                case KICKED -> onKicked(Json.read(body, Kicked.class));
                default -> {
                    // HEARTBEAT_ACK and requests echoed back: nothing to show
                }
            }
        } catch (ProtocolException e) {
            view.show("unreadable " + type + " from the server: " + e.getMessage());
        }
    }

    @Override
    public synchronized void error(FrameError error) {
        view.show("unreadable frame from the server: " + error.errmsg());
    }

    private void onLoginAck(LoginAck ack) {
        Login attempt = loginInFlight;
        loginInFlight = null;
        if (ack.errno() != Errno.OK.code()) {
            view.show(Render.error(ack.errno(), ack.errmsg()));
            if (loginReply == null && credentials != null) {
                view.show("automatic login failed; please log in again");
            }
            credentials = null;
        } else {
            acceptLogin(ack, attempt);
        }
        if (loginReply != null) {
            loginReply.complete(ack);
            loginReply = null;
        }
    }

    private void acceptLogin(LoginAck ack, Login attempt) {
        boolean resumed = credentials != null && ack.id() == userId;
        if (ack.id() != userId) {
            inbox.reset();
            outbox.clear();
            friendRequests.clear();
        }
        userId = ack.id();
        credentials = attempt != null ? attempt : credentials;
        loggedIn = true;
        friends = ack.friends() == null ? List.of() : ack.friends();
        groups = ack.groups() == null ? List.of() : ack.groups();
        friends.forEach(f -> names.put(f.id(), f.name()));
        inbox.resume(ack.acked() == null ? 0 : ack.acked());
        syncInFlight = true; // the server replays the inbox right after LOGIN_ACK, a page at a time
        replayed = 0;
        if (resumed) {
            view.show("reconnected as " + ack.name() + " (" + ack.id() + ")");
        } else {
            view.show("welcome " + ack.name() + ", your id is " + ack.id());
            Render.friends(friends).forEach(view::show);
            Render.groups(groups).forEach(view::show);
            if (ack.unread() != null && ack.unread() > 0) {
                view.show(ack.unread() + " unread message(s): type convs to see where");
            }
        }
        for (Request chat : outbox.pending()) {
            link.send(chat);
        }
    }

    private void onRegAck(RegAck ack) {
        if (ack.errno() == Errno.OK.code()) {
            view.show("registered: your id is " + ack.id() + "; log in with it");
        } else {
            view.show(Render.error(ack.errno(), ack.errmsg()));
        }
        if (regReply != null) {
            regReply.complete(ack);
            regReply = null;
        }
    }

    private void onChat(ChatMessage m) {
        onInboxed(m.seq(), Render.chat(m, userId));
    }

    /**
     * Shows an entry of the inbox (a chat, a receipt, a recall, a friend request or reply)
     * unless it was shown already; every one of them takes a seq, so each is acknowledged
     * like a chat. Returns false for one shown before.
     */
    private boolean onInboxed(Long seq, String line) {
        if (seq != null && !inbox.accept(seq)) {
            return false;
        }
        view.show(line);
        if (syncInFlight) {
            replayed++;
        } else if (inbox.hasGap()) {
            // A push overtook a missing one: ask for everything after the last contiguous seq.
            syncInFlight = true;
            link.send(new Sync(inbox.contiguous()));
        }
        return true;
    }

    private void onFriendRequest(FriendRequestNotice request) {
        names.put(request.id(), request.name());
        if (onInboxed(request.seq(), Render.friendRequest(request))) {
            friendRequests.put(request.id(), request.name());
        }
    }

    /** FRIEND_REPLY is the answer to our own (it has errno) or the other user's answer to our request (it has seq). */
    private void onFriendReply(ObjectNode body) throws ProtocolException {
        if (body.has("errno")) {
            FriendReplyAck ack = Json.read(body, FriendReplyAck.class);
            replyArrived();
            showAck(ack.errno(), ack.errmsg(), "done: the friend request is answered");
        } else {
            FriendReplyNotice reply = Json.read(body, FriendReplyNotice.class);
            names.put(reply.id(), reply.name());
            onInboxed(reply.seq(), Render.friendReply(reply));
        }
    }

    private void onTyping(TypingNotice typing) {
        view.show(Render.typing(typing.id(), friendName(typing.id())));
    }

    private void onPresence(PresenceNotice presence) {
        view.show(Render.presence(presence, friendName(presence.id())));
    }

    /** The name of a friend listed at login or a user met by a friend request since, or null. */
    private String friendName(long id) {
        return names.get(id);
    }

    private void onSyncDone(SyncDone done) {
        if (done.more()) {
            // One page of the inbox came; the next one is asked for (docs/protocol.md section 3, 105 SYNC).
            link.send(new Sync(done.upto()));
            return;
        }
        syncInFlight = false;
        if (replayed > 0) {
            view.show("-- " + replayed + " waiting message(s) above --");
            replayed = 0;
        }
        if (inbox.hasGap()) {
            syncInFlight = true;
            link.send(new Sync(inbox.contiguous()));
        }
    }

    private void onSendAck(SendAck ack) {
        if (ack.seq() != null) {
            inbox.accept(ack.seq()); // our own copy: shown as typed, never pushed to this device
        }
        if (outbox.settle(ack.cmid()) != null) {
            view.show("(sent " + ack.time() + ", mid " + ack.mid() + ")");
            notifyAll();
        }
    }

    private void onAddFriendAck(AddFriendAck ack) {
        replyArrived();
        showAck(ack.errno(), ack.errmsg(), Boolean.TRUE.equals(ack.pending())
                ? "friend request sent: you are friends once they accept"
                : "friend added (listed from the next login)");
    }

    private void onCreateGroupAck(CreateGroupAck ack) {
        replyArrived();
        showAck(ack.errno(), ack.errmsg(), "group created: its id is " + ack.groupid());
    }

    private void onAddGroupAck(AddGroupAck ack) {
        replyArrived();
        showAck(ack.errno(), ack.errmsg(), Boolean.TRUE.equals(ack.pending())
                ? "asked to join: the group is private, its creator decides"
                : "joined the group (listed from the next login)");
    }

    private void onRequests(GroupRequestsAck ack) {
        replyArrived();
        if (ack.errno() != Errno.OK.code()) {
            view.show(Render.error(ack.errno(), ack.errmsg()));
            return;
        }
        Render.requests(ack.requests() == null ? List.of() : ack.requests()).forEach(view::show);
    }

    private void onDecideAck(GroupDecideAck ack) {
        replyArrived();
        showAck(ack.errno(), ack.errmsg(), "done: the request is settled");
    }

    private void onHistory(HistoryAck ack) {
        replyArrived();
        Command.Read shown = toMarkRead.poll();
        if (ack.errno() != Errno.OK.code()) {
            view.show(Render.error(ack.errno(), ack.errmsg()));
            return;
        }
        List<ChatMessage> messages = ack.messages() == null ? List.of() : ack.messages();
        view.show("-- history: " + messages.size() + " message(s), oldest first --");
        for (int i = messages.size() - 1; i >= 0; i--) {
            view.show(Render.chat(messages.get(i), userId));
        }
        if (shown != null && !messages.isEmpty()) {
            link.send(new Read(shown.peer(), shown.groupid(), messages.get(0).mid()));
        }
    }

    private void onConversations(ConversationsAck ack) {
        replyArrived();
        Optional<Command.Read> toRead = convsFor.isEmpty() ? Optional.empty() : convsFor.poll();
        if (ack.errno() != Errno.OK.code()) {
            view.show(Render.error(ack.errno(), ack.errmsg()));
            return;
        }
        List<ConversationsAck.Item> convs = ack.convs() == null ? List.of() : ack.convs();
        if (toRead.isEmpty()) {
            Render.conversations(convs, userId).forEach(view::show);
            return;
        }
        Command.Read r = toRead.get();
        Optional<ConversationsAck.Item> conv = convs.stream()
                .filter(c -> Objects.equals(c.peer(), r.peer()) && Objects.equals(c.groupid(), r.groupid())
                        && c.last() != null)
                .findFirst();
        if (conv.isEmpty()) {
            view.show("nothing to read there");
            return;
        }
        link.send(new Read(r.peer(), r.groupid(), conv.get().last().mid()));
        view.show("marked read: " + conv.get().unread() + " message(s)");
    }

    private void onError(ErrorReply error) {
        if (error.ref() != null && error.ref() == MsgType.SYNC.code()) {
            // No SYNC_DONE is coming; a later gap asks again, and the server catches us up anyway.
            syncInFlight = false;
        }
        boolean notLoggedIn = error.errno() == Errno.NOT_LOGGED_IN.code();
        // A chat refused for good is forgotten; one refused for want of a login is resent after it.
        Request chat = notLoggedIn ? null : outbox.settle(error.cmid());
        if (chat != null) {
            notifyAll();
        }
        view.show(Render.error(error.errno(), error.errmsg())
                + (chat != null ? " (message not sent: " + chat + ")" : ""));
    }

    private void onKicked(Kicked kicked) {
        view.show("logged out: " + (kicked.errmsg() != null ? kicked.errmsg() : "your account logged in elsewhere"));
        // Logging in again automatically would kick the other session in turn.
        credentials = null;
        loggedIn = false;
    }

    private void showAck(int errno, String errmsg, String success) {
        view.show(errno == Errno.OK.code() ? success : Render.error(errno, errmsg));
    }

    private void failPendingReplies(String reason) {
        if (loginReply != null) {
            loginReply.complete(LoginAck.error(Errno.UNAVAILABLE, reason));
            loginReply = null;
            loginInFlight = null;
        }
        if (regReply != null) {
            regReply.complete(RegAck.error(Errno.UNAVAILABLE, reason));
            regReply = null;
        }
    }
}
