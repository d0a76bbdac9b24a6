package muchat.it;

/**
 * Stands in for the chat server in {@link HarnessTest}: prints its arguments and a
 * {@code ready} line like the server does, then waits to be killed; with "fail" it
 * exits at once instead.
 */
final class FakeServer {
    private FakeServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.err.println("fake server args=" + String.join(" ", args));
        if (args.length > 0 && args[0].equals("fail")) {
            System.err.println("cannot start: asked to fail");
            System.exit(3);
        }
        System.err.println("INFO fake server ready");
        Thread.sleep(Long.MAX_VALUE);
    }
}
