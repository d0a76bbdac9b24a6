package muchat.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The forms {@code --redis} takes, and that no form shows its password. */
class RedisAddressTest {

    @Test
    void hostAndPortHaveNoCredentials() {
        RedisAddress a = RedisAddress.parse("10.0.0.5:6380");
        assertEquals("10.0.0.5", a.hostAndPort().getHost());
        assertEquals(6380, a.hostAndPort().getPort());
        assertNull(a.user());
        assertNull(a.password());
        assertEquals(0, a.database());
        assertEquals("10.0.0.5:6380", a.toString());
    }

    @Test
    void aUriCarriesPasswordUserAndDatabaseAndShowsThePasswordMasked() {
        RedisAddress a = RedisAddress.parse("redis://muchat:p%40ss:word@redis.internal:6379/3");
        assertEquals("muchat", a.user());
        assertEquals("p@ss:word", a.password());
        assertEquals(3, a.database());
        assertEquals("redis://muchat:***@redis.internal:6379/3", a.toString());

        RedisAddress passwordOnly = RedisAddress.parse("redis://:hunter2@127.0.0.1:6379");
        assertNull(passwordOnly.user());
        assertEquals("hunter2", passwordOnly.password());
        assertEquals("redis://:***@127.0.0.1:6379", passwordOnly.toString());
        assertEquals("127.0.0.1:6379", RedisAddress.parse("redis://127.0.0.1:6379").toString());
    }

    @Test
    void aMalformedAddressIsRefusedWithoutQuotingItsPassword() {
        for (String bad : new String[] {"redis://:hunter2@host", "redis://hunter2@host:6379", "redis://:hunter2@h:1/x",
                "redis://:hunter2 x@host:6379", "redis://:hunter2@host:6379/-1", ":hunter2@host:6379", "rediss://:hunter2@host:6379"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RedisAddress.parse(bad));
            assertTrue(e.getMessage().startsWith("--redis must be HOST:PORT or redis://"), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        }
        for (String bad : new String[] {"localhost", "host:", ":6379", "host:99999", "host:port", "rediss://host:6379"}) {
            assertThrows(IllegalArgumentException.class, () -> RedisAddress.parse(bad), bad);
        }
    }
}
