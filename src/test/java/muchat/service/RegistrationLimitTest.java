package muchat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RegistrationLimitTest {
    private static final ClientAddress HOME = new ClientAddress("192.0.2.1");
    private static final ClientAddress ELSEWHERE = new ClientAddress("192.0.2.2");
    private final AtomicLong now = new AtomicLong(1_000_000);

    @Test
    void anAddressRegistersItsHourlyShareAtOnceThenOneEveryHourOverN() {
        RegistrationLimit limit = new RegistrationLimit(4, now::get, 100);
        for (int i = 0; i < 4; i++) {
            assertEquals(0, limit.take(HOME));
        }
        assertEquals(15 * 60_000, limit.take(HOME));
        assertEquals(0, limit.take(ELSEWHERE), "other addresses have their own share");
        now.addAndGet(15 * 60_000 - 1);
        assertEquals(1, limit.take(HOME));
        now.addAndGet(1);
        assertEquals(0, limit.take(HOME));
        assertEquals(15 * 60_000, limit.take(HOME));
    }

    @Test
    void zeroMeansNoLimit() {
        RegistrationLimit limit = new RegistrationLimit(0, now::get, 100);
        for (int i = 0; i < 1000; i++) {
            assertEquals(0, limit.take(HOME));
        }
    }

    @Test
    void ipv6ClientsCountPerSlash64() throws Exception {
        assertEquals(ClientAddress.of(java.net.InetAddress.getByName("2001:db8::1")),
                ClientAddress.of(java.net.InetAddress.getByName("2001:db8::ffff:1")));
        assertEquals("2001:db8:0:0:0:0:0:0/64", ClientAddress.of(java.net.InetAddress.getByName("2001:db8::1")).key());
        assertEquals("192.0.2.7", ClientAddress.of(java.net.InetAddress.getByName("192.0.2.7")).key());
    }
}
