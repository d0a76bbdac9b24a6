package muchat.service;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The key under which limits per client address count a peer: its IPv4 address, or the
 * /64 network of its IPv6 address, since one IPv6 client commonly has a whole /64 to
 * pick addresses from.
 *
 * <p>Threads: immutable.
 */
record ClientAddress(String key) {

    /** {@code address} may be null, when the connection's peer is unknown. */
    static ClientAddress of(InetAddress address) {
        if (address == null) {
            return new ClientAddress("?");
        }
        if (address instanceof Inet6Address) {
            byte[] network = Arrays.copyOf(Arrays.copyOf(address.getAddress(), 8), 16);
            try {
                return new ClientAddress(InetAddress.getByAddress(network).getHostAddress() + "/64");
            } catch (UnknownHostException e) {
                throw new IllegalStateException("16 bytes are an IPv6 address", e);
            }
        }
        return new ClientAddress(address.getHostAddress());
    }

    @Override
    public String toString() {
        return key;
    }
}
