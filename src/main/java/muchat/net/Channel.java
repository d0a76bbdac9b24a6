package muchat.net;

/**
 * Something registered with an {@link EventLoop}'s selector: the acceptor's listening
 * socket or a connection's socket. The loop attaches it to the selection key and calls
 * it back when the socket is ready (muduo's {@code Channel}, with NIO's
 * {@code SelectionKey} holding the interest set).
 *
 * <p>Threads: both methods are called only in the owning loop's thread.
 */
interface Channel {
    /** The socket is ready for the operations in {@code readyOps} (SelectionKey.OP_*). */
    void handleEvent(int readyOps);

    /** The loop is quitting: release the socket now. */
    void closeOnQuit();
}
