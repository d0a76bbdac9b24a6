package muchat.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LoadOptionsTest {

    @Test
    void withTwoTargetsTheTwoUsersOfEveryPairAreOnDifferentServers() {
        LoadOptions options = LoadOptions.parse(new String[] {
                "--targets", "127.0.0.1:6001,127.0.0.1:6002", "--users", "10"});
        for (int i = 0; i < options.users(); i += 2) {
            assertNotEquals(options.targetOf(i), options.targetOf(i + 1), "pair " + i);
        }
    }

    @Test
    void aRateMakesItAnOpenLoopRun() {
        assertTrue(LoadOptions.parse(new String[] {"--targets", "127.0.0.1:6000", "--rate", "5000"}).openLoop());
        assertFalse(LoadOptions.parse(new String[] {"--targets", "127.0.0.1:6000"}).openLoop());
    }

    @Test
    void defaultsAreAThousandUsersWithAWindowOfEight() {
        LoadOptions options = LoadOptions.parse(new String[] {"--targets", "127.0.0.1:6000"});
        assertEquals(1000, options.users());
        assertEquals(8, options.window());
    }

    @Test
    void anOddNumberOfUsersCannotBePairedAndIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> LoadOptions.parse(new String[] {"--targets", "127.0.0.1:6000", "--users", "7"}));
    }

    @Test
    void withoutTargetsThereIsNothingToLoad() {
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {"--users", "10"}));
    }

    @Test
    void theProbeIsOnePairSendingOneMessageASecondEachInTheSameSeconds() {
        LoadOptions options = LoadOptions.parse(new String[] {"--targets", "127.0.0.1:6000", "--users", "100",
                "--rate", "50000", "--window", "1000", "--seconds", "60", "--warmup", "0", "--register",
                "--prefix", "run7", "--probe"});
        assertTrue(options.probe());
        LoadOptions probe = options.probeOptions();
        assertEquals(2, probe.users());
        assertEquals(2, probe.rate(), "one message a second from each of the two");
        assertEquals(8, probe.window());
        assertEquals(1, probe.threads());
        assertEquals("run7-probe", probe.prefix());
        assertEquals(60, probe.seconds());
        assertEquals(0, probe.warmup());
        assertTrue(probe.register());
        assertFalse(probe.probe());
    }

    @Test
    void withoutTheSwitchThereIsNoProbe() {
        assertFalse(LoadOptions.parse(new String[] {"--targets", "127.0.0.1:6000"}).probe());
    }

    @Test
    void aLegacyRunKeepsOneMessageInFlightPerDirectionUnlessToldOtherwise() {
        LoadOptions legacy = LoadOptions.parse(new String[] {"--targets", "127.0.0.1:6000", "--legacy"});
        assertTrue(legacy.legacy());
        assertEquals(1, legacy.window());
        assertEquals(3, LoadOptions.parse(new String[] {"--targets", "127.0.0.1:6000", "--legacy", "--window", "3"})
                .window());
        assertFalse(LoadOptions.parse(new String[] {"--targets", "127.0.0.1:6000"}).legacy());
    }

    @Test
    void theProbeOfALegacyRunSpeaksLegacyToo() {
        LoadOptions options = LoadOptions.parse(new String[] {"--targets", "127.0.0.1:6000", "--legacy", "--probe"});
        assertTrue(options.probeOptions().legacy());
    }
}
