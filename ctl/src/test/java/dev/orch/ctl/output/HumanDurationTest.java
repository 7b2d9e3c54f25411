package dev.orch.ctl.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HumanDurationTest {
    @ParameterizedTest
    @CsvSource({
        "0, Less than a second", "1, 1 second", "3, 3 seconds", "59, 59 seconds",
        "60, About a minute", "119, About a minute", "120, 2 minutes", "3599, 59 minutes",
        "3600, About an hour", "5399, About an hour", "5400, 2 hours", "169199, 47 hours", "172799, 2 days",
        "172800, 2 days", "1206000, 13 days", "1209600, 2 weeks", "5180400, 8 weeks",
        "5184000, 2 months", "63068400, 24 months", "63072000, 2 years"})
    void matchesDockerWording(long seconds, String expected) {
        assertEquals(expected, HumanDuration.of(Duration.ofSeconds(seconds)));
    }

    @Test
    void agoAndInSentence() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        long threeSecondsBefore = now.minusSeconds(3).toEpochMilli();
        assertEquals("3 seconds ago", HumanDuration.ago(threeSecondsBefore, now));
        assertEquals("About a minute ago",
                HumanDuration.ago(now.minusSeconds(70).toEpochMilli(), now));
        assertEquals("about a minute ago",
                HumanDuration.agoInSentence(now.minusSeconds(70).toEpochMilli(), now));
        // a clock a little ahead on the manager must not print negative time
        assertEquals("Less than a second ago",
                HumanDuration.ago(now.plusSeconds(5).toEpochMilli(), now));
    }
}
