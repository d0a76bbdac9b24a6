package muchat.server;

import java.util.Arrays;

/**
 * The single entry point of {@code muchat.jar}: the first argument names the command.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "server" -> ServerCommand.run(rest);
            case "client" -> muchat.client.ChatClient.main(rest);
            case "echo" -> muchat.bench.EchoServer.main(rest);
            default -> {
                usage();
                System.exit(2);
            }
        }
    }

    private static void usage() {
        System.err.println("""
                usage: java -jar muchat.jar COMMAND [OPTIONS]
                commands:
                  server   the chat server      (--help for its options)
                  client   the terminal client: client [--tls] [--tls-ca FILE] HOST PORT
                  echo     an echo server on the reactor, for tests and benchmarks
                """);
    }
}
