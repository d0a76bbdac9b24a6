package muchat.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1} with its PKCS#8 key,
 * made by {@code openssl} in a fresh temporary directory: tests trust {@link #cert()} as
 * their CA, and no key is ever committed. {@link #close()} deletes the directory.
 *
 * <p>Threads: one test thread.
 */
public final class TestCertificates implements AutoCloseable {
    private final Path dir = LocalProcess.tempDir("muchat-tls-");

    private TestCertificates(String keyType) {
        List<String> newKey = keyType.equals("ec")
                ? List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1")
                : List.of("-newkey", "rsa:2048");
        List<String> command = new ArrayList<>(List.of("openssl", "req", "-x509", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", key().toString(), "-out", cert().toString()));
        command.addAll(3, newKey);
        openssl(command);
    }

    /** An RSA ({@code "rsa"}) or EC P-256 ({@code "ec"}) pair. */
    public static TestCertificates create(String keyType) {
        return new TestCertificates(keyType);
    }

    public Path cert() {
        return dir.resolve("cert.pem");
    }

    /** The private key, PKCS#8 ({@code BEGIN PRIVATE KEY}). */
    public Path key() {
        return dir.resolve("key.pem");
    }

    /** The same RSA key in the traditional PKCS#1 form ({@code BEGIN RSA PRIVATE KEY}). */
    public Path pkcs1Key() {
        Path pkcs1 = dir.resolve("key-pkcs1.pem");
        openssl(List.of("openssl", "pkey", "-in", key().toString(), "-traditional", "-out", pkcs1.toString()));
        return pkcs1;
    }

    public Path dir() {
        return dir;
    }

    private void openssl(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("openssl.log").toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("openssl failed: " + String.join(" ", command));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        LocalProcess.deleteTree(dir);
    }
}
