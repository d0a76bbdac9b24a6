package muchat.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A private nginx that balances TCP (stream module, {@code least_conn}) from one free
 * loopback port to the given upstream ports. An upstream that refuses a connection is
 * skipped for 2 s ({@code max_fails=1 fail_timeout=2s}), so fault tests see failover fast.
 * With a certificate it terminates TLS, as {@code nginx.conf} can, and the upstreams stay plaintext.
 *
 * <p>Threads: one test thread at a time.
 */
public final class NginxProcess implements AutoCloseable {
    /** Where Debian's libnginx-mod-stream puts the module; absent when stream is built in. */
    private static final Path STREAM_MODULE = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final int port = LocalProcess.freePort();
    private final Path dir = LocalProcess.tempDir("muchat-nginx-");
    private final Path log = dir.resolve("error.log");
    private final Process process;

    private NginxProcess(List<Integer> upstreamPorts, String tls) {
        Path conf = dir.resolve("nginx.conf");
        write(conf, config(upstreamPorts, tls));
        process = LocalProcess.start(List.of("nginx", "-p", dir.toString(), "-c", conf.toString(),
                "-e", log.toString()), dir.resolve("stdout.log"));
        LocalProcess.await("nginx on port " + port, process, log, START_TIMEOUT, () -> LocalProcess.accepts(port));
    }

    /** Starts nginx in front of {@code upstreamPorts} (loopback) and waits until it listens. */
    public static NginxProcess launch(List<Integer> upstreamPorts) {
        if (upstreamPorts.isEmpty()) {
            throw new IllegalArgumentException("nginx needs at least one upstream");
        }
        return new NginxProcess(upstreamPorts, "");
    }

    /** As {@link #launch}, but clients speak TLS to nginx with {@code cert} and its {@code key}. */
    public static NginxProcess launchTls(List<Integer> upstreamPorts, Path cert, Path key) {
        if (upstreamPorts.isEmpty()) {
            throw new IllegalArgumentException("nginx needs at least one upstream");
        }
        return new NginxProcess(upstreamPorts, " ssl;\n        ssl_certificate " + cert.toAbsolutePath()
                + ";\n        ssl_certificate_key " + key.toAbsolutePath() + ";\n        ssl_protocols TLSv1.2 TLSv1.3");
    }

    /** The loopback port clients connect to. */
    public int port() {
        return port;
    }

    /** {@code tls}: empty, or what follows the listen address to turn TLS on. */
    private String config(List<Integer> upstreamPorts, String tls) {
        String servers = upstreamPorts.stream()
                .map(p -> "        server " + LocalProcess.LOOPBACK + ":" + p + " max_fails=1 fail_timeout=2s;")
                .collect(Collectors.joining("\n"));
        String loadModule = Files.exists(STREAM_MODULE) ? "load_module " + STREAM_MODULE + ";\n" : "";
        return loadModule + """
                daemon off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %2$s info;
                events { worker_connections 1024; }
                stream {
                    upstream muchat {
                        least_conn;
                %3$s
                    }
                    server {
                        listen %4$s:%5$d%6$s;
                        proxy_pass muchat;
                        proxy_timeout 120s;
                        proxy_connect_timeout 1s;
                        tcp_nodelay on;
                    }
                }
                """.formatted(dir, log, servers, LocalProcess.LOOPBACK, port, tls);
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops nginx and its worker (SIGTERM, then SIGKILL). */
    @Override
    public void close() {
        LocalProcess.stop(process, STOP_GRACE);
        LocalProcess.deleteTree(dir);
    }
}
