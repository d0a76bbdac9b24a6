package muchat.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import muchat.protocol.Friend;
import muchat.protocol.Json;
import muchat.protocol.Presence;
import muchat.protocol.PresenceNotice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Friends online hear when a user comes online. They are all held by other instances
 * here, so the notices are what leaves through the cluster. Arrivals never read the
 * database, so there is none (a null friend store).
 */
class PresenceNoticesTest {
    private static final long ALICE = 1;
    /** A user signalled after the notices under test: the cluster keeps order, so it comes last. */
    private static final long MARKER = 999;
    private static final List<Friend> FRIENDS = List.of(
            new Friend(2, "bob", Presence.ONLINE),
            new Friend(3, "carol", Presence.OFFLINE),
            new Friend(4, "dan", Presence.ONLINE));

    private final Strands strands = new Strands(2);
    private final RecordingInstances cluster = new RecordingInstances();
    private final SessionRegistry sessions = new SessionRegistry(cluster, strands, 4);
    private final Delivery delivery = new Delivery(null, sessions, cluster, strands);
    private final PresenceNotices notices = new PresenceNotices(null, sessions, delivery, strands);

    @AfterEach
    void stop() throws InterruptedException {
        notices.close();
        delivery.close();
        strands.shutdown(5, TimeUnit.SECONDS);
    }

    /** The users told something before the marker, with what they were told. */
    private List<OtherInstances.Push> toldBeforeMarker() throws InterruptedException {
        delivery.signal(MARKER, new PresenceNotice(0, Presence.ONLINE));
        List<OtherInstances.Push> told = new ArrayList<>();
        for (OtherInstances.Push push = cluster.next(); push.uid() != MARKER; push = cluster.next()) {
            told.add(push);
        }
        return told;
    }

    @Test
    void anArrivalIsToldToTheFriendsWhoAreOnline() throws Exception {
        notices.arrived(ALICE, FRIENDS);
        List<OtherInstances.Push> told = toldBeforeMarker();
        assertEquals(List.of(2L, 4L), told.stream().map(OtherInstances.Push::uid).toList(), "carol is offline");
        for (OtherInstances.Push push : told) {
            assertArrayEquals(Json.bytes(new PresenceNotice(ALICE, Presence.ONLINE)), push.json());
        }
    }

    @Test
    void comingBackWithinTheGraceTellsNobody() throws Exception {
        notices.left(ALICE);
        notices.arrived(ALICE, FRIENDS);
        assertEquals(List.of(), toldBeforeMarker(), "a flaky network is nobody's business");
    }
}
