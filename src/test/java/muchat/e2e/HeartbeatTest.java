package muchat.e2e;

import static muchat.e2e.WireClient.obj;
import static muchat.protocol.MsgType.HEARTBEAT;
import static muchat.protocol.MsgType.HEARTBEAT_ACK;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** docs/protocol.md section 6.1: silent connections are closed; heartbeats (or any frame) keep one open. */
class HeartbeatTest {

    @Test
    void aSilentConnectionIsClosedWhileOneThatSendsHeartbeatsStaysOpen() throws Exception {
        try (ServerFixture server = new ServerFixture("--idle-timeout", "1");
             WireClient silent = WireClient.nativeClient(server.address());
             WireClient beating = WireClient.nativeClient(server.address())) {
            long start = System.nanoTime();
            while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(2500)) {
                beating.send(HEARTBEAT, obj());
                beating.await(HEARTBEAT_ACK);
                Thread.sleep(200); // the client's heartbeat interval, not synchronisation
            }
            assertTrue(silent.closedByServer(), "a connection that never sent a byte is closed");
            beating.send(HEARTBEAT, obj());
            beating.await(HEARTBEAT_ACK); // still open after more than twice the timeout
        }
    }
}
