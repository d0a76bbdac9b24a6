package muchat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** Limits per client address count an IPv4 client by its address and an IPv6 client by its /64. */
class ClientAddressTest {

    private static ClientAddress of(String address) throws UnknownHostException {
        return ClientAddress.of(InetAddress.getByName(address));
    }

    @Test
    void anIpv4ClientCountsByItsOwnAddress() throws Exception {
        assertEquals("192.0.2.7", of("192.0.2.7").key());
        assertNotEquals(of("192.0.2.7"), of("192.0.2.8"), "a neighbour has its own share");
    }

    @Test
    void anIpv6ClientCountsByItsSlash64() throws Exception {
        assertEquals("2001:db8:0:0:0:0:0:0/64", of("2001:db8::1").key());
        assertEquals(of("2001:db8::1"), of("2001:db8::ffff:ffff:ffff:ffff"),
                "picking another address in the same /64 does not earn a new share");
    }

    @Test
    void anotherIpv6NetworkHasItsOwnShare() throws Exception {
        assertEquals("2001:db8:0:1:0:0:0:0/64", of("2001:db8:0:1::1").key());
        assertNotEquals(of("2001:db8::1"), of("2001:db8:0:1::1"));
    }

    @Test
    void anIpv4MappedIpv6AddressCountsAsItsIpv4Address() throws Exception {
        // Counted by /64, every IPv4 client of a dual-stack listener would share one key;
        // Java hands such peers over as IPv4 addresses.
        assertEquals(of("192.0.2.7"), of("::ffff:192.0.2.7"));
    }

    @Test
    void peersOfUnknownAddressShareOneKey() {
        assertEquals("?", ClientAddress.of(null).key());
        assertEquals(ClientAddress.of(null), ClientAddress.of(null));
    }

    @Test
    void itPrintsAsItsKeyInLogLines() throws Exception {
        assertEquals("2001:db8:0:0:0:0:0:0/64", of("2001:db8::1").toString());
        assertEquals("192.0.2.7", of("192.0.2.7").toString());
    }
}
