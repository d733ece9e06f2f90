package io.kmm.meta;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void durationsReadAsTheyAreWritten() {
        assertThat(Durations.text(Duration.ofSeconds(200))).isEqualTo("3m20s");
        assertThat(Durations.text(Duration.ofSeconds(15))).isEqualTo("15s");
        assertThat(Durations.text(Duration.ofMillis(1500))).isEqualTo("1s500ms");
        assertThat(Durations.text(Duration.ofHours(2))).isEqualTo("2h");
        assertThat(Durations.text(Duration.ZERO)).isEqualTo("0s");
        assertThat(Durations.text(Duration.ofSeconds(-5))).isEqualTo("-5s");
    }
}
