package io.kmm.meta;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LabelValuesTest {

    @Test
    void validKernelsAreKeptAsTheyAre() {
        assertThat(LabelValues.normalise("5.16.11-200.fc35.x86_64")).isEqualTo("5.16.11-200.fc35.x86_64");
        assertThat(LabelValues.normalise("5.4.0-1054-gke")).isEqualTo("5.4.0-1054-gke");
    }

    @Test
    void trailingPlusIsReplacedAndHashed() {
        String label = LabelValues.normalise("6.8.0-rc1+");
        assertThat(label).startsWith("6.8.0-rc1-").hasSize("6.8.0-rc1-".length() + 8);
        assertThat(LabelValues.isValid(label)).isTrue();
    }

    @Test
    void invalidCharactersAndLengthAreFixedDeterministically() {
        String kernel = "5.14.0-284.11.1.el9_2.x86_64+debug #1 SMP PREEMPT_DYNAMIC with a very long suffix indeed";
        String label = LabelValues.normalise(kernel);
        assertThat(label).hasSizeLessThanOrEqualTo(63);
        assertThat(LabelValues.isValid(label)).isTrue();
        assertThat(LabelValues.normalise(kernel)).isEqualTo(label);
    }

    @Test
    void differentKernelsNeverShareALabel() {
        assertThat(LabelValues.normalise("6.1.0+")).isNotEqualTo(LabelValues.normalise("6.1.0_"));
        assertThat(LabelValues.normalise("6.1.0+")).isNotEqualTo(LabelValues.normalise("6.1.0"));
    }

    @Test
    void onlyInvalidCharactersGiveJustTheHash() {
        String label = LabelValues.normalise("+++");
        assertThat(label).hasSize(8);
        assertThat(LabelValues.isValid(label)).isTrue();
    }
}
