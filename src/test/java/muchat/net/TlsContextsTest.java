package muchat.net;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import muchat.it.TestCertificates;
import org.junit.jupiter.api.Test;

/** What an operator sees when the certificate or key files are not right. */
class TlsContextsTest {
    @Test
    void rsaAndEcPairsAreAccepted() throws IOException {
        for (String type : new String[] {"rsa", "ec"}) {
            try (TestCertificates pair = TestCertificates.create(type)) {
                assertNotNull(TlsContexts.server(pair.cert(), pair.key()));
            }
        }
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedAtOnce() {
        try (TestCertificates one = TestCertificates.create("ec"); TestCertificates other = TestCertificates.create("ec")) {
            IOException e = assertThrows(IOException.class, () -> TlsContexts.server(one.cert(), other.key()));
            assertTrue(e.getMessage().contains("is not the private key of the first certificate"), e.getMessage());
        }
    }

    @Test
    void aPkcs1KeyIsRefusedWithTheCommandThatConvertsIt() {
        try (TestCertificates pair = TestCertificates.create("rsa")) {
            IOException e = assertThrows(IOException.class, () -> TlsContexts.server(pair.cert(), pair.pkcs1Key()));
            assertTrue(e.getMessage().contains("PKCS#1") && e.getMessage().contains("openssl pkey -in "), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line");
        }
    }

    @Test
    void missingAndWrongFilesSaySo() throws IOException {
        try (TestCertificates pair = TestCertificates.create("ec")) {
            Path missing = pair.dir().resolve("missing.pem");
            IOException e = assertThrows(IOException.class, () -> TlsContexts.server(missing, pair.key()));
            assertTrue(e.getMessage().endsWith("missing.pem: no such file"), e.getMessage());
            e = assertThrows(IOException.class, () -> TlsContexts.server(pair.key(), pair.key()));
            assertTrue(e.getMessage().contains("certificate"), e.getMessage());
            Path text = Files.writeString(pair.dir().resolve("text.pem"), "not a key");
            e = assertThrows(IOException.class, () -> TlsContexts.client(text));
            assertTrue(e.getMessage().contains("text.pem") && e.getMessage().contains("certificate"), e.getMessage());
        }
    }
}
