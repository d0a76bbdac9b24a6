package muchat.net;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-peer-address connection limit of a {@link TcpServer}: at most {@code max}
 * connections open from one address, so that one host cannot take every descriptor and
 * lock the others out. A connection over the limit is closed before it is read from or
 * written to.
 *
 * <p>A flood must not flood the log: an address is logged once when it starts being
 * refused, and once when the episode ends, with the number refused meanwhile. The
 * episode ends when the address is down to half its limit, not at the first free slot:
 * a flood that refills every slot as soon as it frees would otherwise log two lines per
 * slot.
 *
 * <p>Threads: {@link #tryAdmit} from the accepting loop, {@link #release} from the
 * connection's loop when it closes (or from either loop when setting it up fails); both
 * lock this object, once per accept and once per close. No method is loop-only.
 */
final class PeerLimit {
    private static final Logger log = LoggerFactory.getLogger(PeerLimit.class);

    /** What is known about one address: only while it has connections open or is refused. */
    private static final class Peer {
        int open;
        long refused;
    }

    private final int max;
    private final Map<InetAddress, Peer> peers = new HashMap<>();

    /** @param max connections per address; 0 for no limit */
    PeerLimit(int max) {
        this.max = max;
    }

    /** True (and counted) if {@code address} may open one more connection. */
    synchronized boolean tryAdmit(InetAddress address) {
        if (max == 0) {
            return true;
        }
        Peer peer = peers.computeIfAbsent(address, a -> new Peer());
        if (peer.open >= max) {
            if (peer.refused++ == 0) {
                log.warn("refusing connections from {}: {} open, the most allowed per address", hostOf(address), max);
            }
            return false;
        }
        peer.open++;
        return true;
    }

    /** A connection admitted from {@code address} closed. */
    synchronized void release(InetAddress address) {
        if (max == 0) {
            return;
        }
        Peer peer = peers.get(address);
        if (peer == null) {
            return;
        }
        peer.open--;
        if (peer.refused > 0 && peer.open <= max / 2) {
            log.info("accepting connections from {} again: {} open, {} refused meanwhile", hostOf(address),
                    peer.open, peer.refused);
            peer.refused = 0;
        }
        if (peer.open == 0) {
            peers.remove(address);
        }
    }

    private static String hostOf(InetAddress address) {
        return address.getHostAddress();
    }
}
