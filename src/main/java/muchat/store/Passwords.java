package muchat.store;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Salted password hashes. New ones are Argon2id (Bouncy Castle), stored in the PHC
 * string format {@code $argon2id$v=19$m=KIB,t=2,p=1$salt$hash} (unpadded Base64): the
 * text names the algorithm and its parameters, so it verifies whatever this instance's
 * settings are. Hashes of earlier versions, {@code pbkdf2-sha256$iterations$salt$hash},
 * still verify; {@link #isCurrent} tells the caller to replace them (or an Argon2id hash
 * made with other parameters) once the password is known again.
 *
 * <p>t=2, p=1 with 19 MiB is the least memory OWASP advises for Argon2id; memory is what
 * makes guessing on graphics cards dear, and it is also what a burst of logins costs the
 * server. So at most one hash per core runs at once and the others wait their turn: a
 * login storm costs at most {@code cores × memory}, and its logins queue instead of
 * thrashing.
 *
 * <p>Threads: any thread; {@link #hash} and {@link #matches} block while every permit is
 * taken. They are slow on purpose and must never run on an IO loop.
 */
final class Passwords {
    /** OWASP's minimum for Argon2id with t=2, p=1: 19 MiB. */
    static final int DEFAULT_MEMORY_KIB = 19 * 1024;

    private static final String ARGON2ID = "argon2id";
    private static final int ARGON2_ITERATIONS = 2;
    private static final int ARGON2_PARALLELISM = 1;
    private static final String PBKDF2 = "pbkdf2-sha256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();

    private final int memoryKib;
    /** Everything of a current hash before its salt. */
    private final String currentPrefix;
    private final Semaphore permits = new Semaphore(Runtime.getRuntime().availableProcessors());

    /** New hashes use {@code memoryKib} KiB each (at least 8). */
    Passwords(int memoryKib) {
        if (memoryKib < 8) {
            throw new IllegalArgumentException("Argon2id needs at least 8 KiB, got " + memoryKib);
        }
        this.memoryKib = memoryKib;
        this.currentPrefix = "$" + ARGON2ID + "$v=" + Argon2Parameters.ARGON2_VERSION_13 + "$m=" + memoryKib
                + ",t=" + ARGON2_ITERATIONS + ",p=" + ARGON2_PARALLELISM + "$";
    }

    /** A new Argon2id hash of {@code password} with a fresh salt. */
    String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] hash = limited(() -> argon2id(password, salt, memoryKib, ARGON2_ITERATIONS, ARGON2_PARALLELISM,
                HASH_BYTES));
        return currentPrefix + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /** False also for a stored text this class cannot read. */
    boolean matches(String password, String stored) {
        try {
            if (stored.startsWith("$" + ARGON2ID + "$")) {
                return matchesArgon2id(password, stored);
            }
            if (stored.startsWith(PBKDF2 + "$")) {
                return matchesPbkdf2(password, stored);
            }
        } catch (IllegalArgumentException e) { // a malformed number or Base64
            return false;
        }
        return false;
    }

    /** Whether {@code stored} is what {@link #hash} makes now: Argon2id with this instance's parameters. */
    boolean isCurrent(String stored) {
        return stored.startsWith(currentPrefix);
    }

    /** What a stored hash is, for a log line: its text up to the salt, which holds no secret. */
    static String scheme(String stored) {
        int salt = stored.startsWith("$") ? stored.lastIndexOf('$', stored.lastIndexOf('$') - 1)
                : stored.indexOf('$', stored.indexOf('$') + 1);
        return salt < 0 ? "an unknown scheme" : stored.substring(0, salt);
    }

    /** {@code $argon2id$v=19$m=M,t=T,p=P$salt$hash}. */
    private boolean matchesArgon2id(String password, String stored) {
        String[] parts = stored.split("\\$");
        if (parts.length != 6 || !parts[2].equals("v=" + Argon2Parameters.ARGON2_VERSION_13)) {
            return false;
        }
        String[] settings = parts[3].split(",");
        if (settings.length != 3 || !settings[0].startsWith("m=") || !settings[1].startsWith("t=")
                || !settings[2].startsWith("p=")) {
            return false;
        }
        int memory = Integer.parseInt(settings[0].substring(2));
        int iterations = Integer.parseInt(settings[1].substring(2));
        int parallelism = Integer.parseInt(settings[2].substring(2));
        byte[] salt = Base64.getDecoder().decode(parts[4]);
        byte[] expected = Base64.getDecoder().decode(parts[5]);
        byte[] actual = limited(() -> argon2id(password, salt, memory, iterations, parallelism, expected.length));
        return MessageDigest.isEqual(expected, actual);
    }

    /** {@code pbkdf2-sha256$iterations$salt$hash}, padded Base64, as earlier versions wrote it. */
    private boolean matchesPbkdf2(String password, String stored) {
        String[] parts = stored.split("\\$");
        if (parts.length != 4) {
            return false;
        }
        int iterations = Integer.parseInt(parts[1]);
        byte[] salt = Base64.getDecoder().decode(parts[2]);
        byte[] expected = Base64.getDecoder().decode(parts[3]);
        byte[] actual = limited(() -> pbkdf2(password, salt, iterations, expected.length * 8));
        return MessageDigest.isEqual(expected, actual);
    }

    /** Runs {@code work} holding one of the permits. */
    private byte[] limited(Supplier<byte[]> work) {
        permits.acquireUninterruptibly();
        try {
            return work.get();
        } finally {
            permits.release();
        }
    }

    private static byte[] argon2id(String password, byte[] salt, int memoryKib, int iterations, int parallelism,
                                   int length) {
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] secret = password.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[length];
        try {
            generator.generateBytes(secret, out);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
        return out;
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations, int bits) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, bits);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        } finally {
            spec.clearPassword();
        }
    }
}
