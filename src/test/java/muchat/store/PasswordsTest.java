package muchat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordsTest {
    private static final String PASSWORD = "correct horse";
    /** From the reference implementation (libargon2's argon2id_hash_encoded), salt "0123456789abcdef". */
    private static final String REFERENCE_ARGON2ID =
            "$argon2id$v=19$m=64,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$dPtrHTEawLtMiR9+/XloAkXZ+EtyrY+bvmHIbiufhk0";
    /** As earlier versions stored it: PBKDF2-HMAC-SHA256, 10,000 iterations, same salt. */
    private static final String EARLIER_PBKDF2 =
            "pbkdf2-sha256$10000$MDEyMzQ1Njc4OWFiY2RlZg==$TI2grtvV1HW5nz2rBY4tctlrmOj5bZs0dw9j8NHpRRc=";

    private final Passwords passwords = new Passwords(64);

    @Test
    void newHashesAreArgon2idThatNameTheirParameters() {
        String hash = passwords.hash(PASSWORD);
        assertTrue(hash.startsWith("$argon2id$v=19$m=64,t=2,p=1$"), hash);
        assertTrue(passwords.matches(PASSWORD, hash));
        assertFalse(passwords.matches(PASSWORD + "!", hash));
        assertNotEquals(hash, passwords.hash(PASSWORD), "each hash has a salt of its own");
        assertTrue(passwords.isCurrent(hash));
    }

    @Test
    void hashesOfTheReferenceImplementationVerify() {
        assertTrue(passwords.matches(PASSWORD, REFERENCE_ARGON2ID));
        assertFalse(passwords.matches("correct horsf", REFERENCE_ARGON2ID));
    }

    @Test
    void otherParametersStillVerifyButAreNotCurrent() {
        String small = new Passwords(8).hash(PASSWORD);
        assertTrue(passwords.matches(PASSWORD, small));
        assertFalse(passwords.isCurrent(small));
    }

    @Test
    void earlierPbkdf2HashesVerifyAndAreNotCurrent() {
        assertTrue(passwords.matches(PASSWORD, EARLIER_PBKDF2));
        assertFalse(passwords.matches("wrong", EARLIER_PBKDF2));
        assertFalse(passwords.isCurrent(EARLIER_PBKDF2));
        assertEquals("pbkdf2-sha256$10000", Passwords.scheme(EARLIER_PBKDF2));
    }

    @Test
    void textsItCannotReadMatchNothing() {
        for (String stored : new String[] {"", "secret", "$argon2id$v=19$m=x,t=2,p=1$c2FsdA$aGFzaA",
                "$argon2id$v=16$m=64,t=2,p=1$c2FsdA$aGFzaA", "pbkdf2-sha256$ten$c2FsdA==$aGFzaA==",
                "$argon2i$v=19$m=64,t=2,p=1$c2FsdA$aGFzaA"}) {
            assertFalse(passwords.matches(PASSWORD, stored), stored);
        }
    }
}
