package muchat.net;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS contexts from PEM files: a server's certificate chain and PKCS#8 private key (RSA or
 * EC), or a client's trusted CA certificates. Only TLS 1.3 and 1.2 are spoken
 * ({@link #PROTOCOLS}). Errors are IOExceptions whose message is one sentence an
 * operator can act on.
 *
 * <p>Threads: stateless; any thread.
 */
public final class TlsContexts {
    /** The protocol versions every engine and socket of ours enables, newest first. */
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

    private TlsContexts() {
    }

    /** TLS 1.3 and 1.2, for {@code setEnabledProtocols} of a client socket. */
    public static String[] protocols() {
        return PROTOCOLS.clone();
    }

    /** A server context that presents {@code certificateChain} with {@code privateKey}. */
    public static SSLContext server(Path certificateChain, Path privateKey) throws IOException {
        Certificate[] chain = certificates(certificateChain).toArray(new Certificate[0]);
        if (chain.length == 0) {
            throw new IOException(certificateChain + " holds no PEM certificate");
        }
        PrivateKey key = privateKey(privateKey);
        if (!matches(chain[0], key)) {
            throw new IOException(privateKey + " is not the private key of the first certificate in " + certificateChain);
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] noPassword = new char[0];
            store.setKeyEntry("muchat", key, noPassword, chain);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, noPassword);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use " + certificateChain + " and " + privateKey + ": " + e.getMessage(), e);
        }
    }

    /**
     * A client context that trusts the CA certificates in {@code trustedCertificates}, or
     * the JDK's default trust store when it is null.
     */
    public static SSLContext client(Path trustedCertificates) throws IOException {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (trustedCertificates == null) {
                trust.init((KeyStore) null);
            } else {
                Collection<Certificate> cas = certificates(trustedCertificates);
                if (cas.isEmpty()) {
                    throw new IOException(trustedCertificates + " holds no PEM certificate");
                }
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                int i = 0;
                for (Certificate ca : cas) {
                    store.setCertificateEntry("ca" + i++, ca);
                }
                trust.init(store);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust " + trustedCertificates + ": " + e.getMessage(), e);
        }
    }

    /** A server-side engine of {@code context}, TLS 1.3 and 1.2 only. */
    static SSLEngine serverEngine(SSLContext context) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setEnabledProtocols(protocols());
        return engine;
    }

    private static Collection<Certificate> certificates(Path file) throws IOException {
        byte[] pem = read(file);
        try {
            @SuppressWarnings("unchecked")
            Collection<Certificate> certificates = (Collection<Certificate>)
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
            return certificates;
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not a PEM certificate chain: " + e.getMessage(), e);
        }
    }

    /** The PKCS#8 key in {@code file}; other PEM key formats are refused with a hint. */
    private static PrivateKey privateKey(Path file) throws IOException {
        String text = new String(read(file), StandardCharsets.US_ASCII);
        Matcher block = PEM_BLOCK.matcher(text);
        while (block.find()) {
            String type = block.group(1);
            if (type.equals("PRIVATE KEY")) {
                return pkcs8(file, Base64.getMimeDecoder().decode(block.group(2)));
            }
            if (type.equals("RSA PRIVATE KEY") || type.equals("EC PRIVATE KEY")) {
                throw new IOException(file + " holds a " + (type.startsWith("RSA") ? "PKCS#1" : "SEC1")
                        + " key (BEGIN " + type + "); convert it to PKCS#8 with: openssl pkey -in " + file
                        + " -out key.pk8.pem");
            }
            if (type.equals("ENCRYPTED PRIVATE KEY")) {
                throw new IOException(file + " is encrypted; decrypt it with: openssl pkey -in " + file
                        + " -out key.pk8.pem");
            }
        }
        throw new IOException(file + " holds no PEM private key (BEGIN PRIVATE KEY)");
    }

    private static PrivateKey pkcs8(Path file, byte[] der) throws IOException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException e) {
                // not this algorithm: try the next
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        throw new IOException(file + " is not an RSA or EC private key");
    }

    /**
     * True if {@code key} belongs to {@code certificate}: what it signs, the certificate's
     * public key verifies. Catches swapped or mixed-up files at start instead of at the
     * first handshake.
     */
    private static boolean matches(Certificate certificate, PrivateKey key) throws IOException {
        if (!certificate.getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
            return false;
        }
        try {
            byte[] probe = "muchat".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA");
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            signer.initVerify(certificate.getPublicKey());
            signer.update(probe);
            return signer.verify(signature);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot check the key against the certificate: " + e.getMessage(), e);
        }
    }

    private static byte[] read(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot read " + file + ": no such file", e);
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
