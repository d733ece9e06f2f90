package io.kmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The size estimate of kernel-mapping regexps, and what Regexps does with it. */
class RegexpSizeTest {

    @ParameterizedTest
    @ValueSource(strings = { "^5\\.14\\.", "^.+$", "^5\\.14\\.0-[0-9]+\\.el9_[0-9]\\.x86_64$", "-gke$",
            "^(5\\.14|6\\.1)\\.[0-9]{1,3}-[0-9]+(\\.el9(_[0-9]+)?)?\\.x86_64$", "(?i)^6\\.[0-9]+\\.0-rc[0-9]+\\+?$",
            "^[[:digit:]]+\\.[[:digit:]]+", "\\Q5.14.0\\E.*", "^(?P<major>[0-9]+)\\.(?:[0-9]+)", "\\p{L}+",
            "[]a]", "[^]x-z]+", "x{", "a{,5}", "\\x{41}\\x41" })
    void realisticPatternsAreSmallAndReadable(String regexp) {
        assertThat(RegexpSize.of(regexp)).as(regexp).isBetween(0L, 500L);
        assertThat(Regexps.compileUncached(regexp).valid()).as(regexp).isTrue();
    }

    @Test
    void nestedRepetitionsMultiply() {
        assertThat(RegexpSize.of("a{100}")).isEqualTo(100);
        assertThat(RegexpSize.of("(a{100}){100}")).isEqualTo(10_000);
        assertThat(RegexpSize.of("((((a{100}){100}){100}){100})")).isEqualTo(100_000_000L);
        assertThat(RegexpSize.of("(ab|cd){10}")).isEqualTo(40);
        assertThat(RegexpSize.of("a{2,50}")).isEqualTo(50);
        assertThat(RegexpSize.of("a{7,}")).isEqualTo(8);
        assertThat(RegexpSize.of("(a+)+")).isEqualTo(4);
    }

    @Test
    void theHostilePatternIsRefusedWithoutCompilingIt() {
        // refused from its text: the message is the estimate's, RE2/J never saw it
        Regexps.Compiled c = Regexps.compileUncached("((((a{100}){100}){100}){100})");
        assertThat(c.valid()).isFalse();
        assertThat(c.error()).contains("100,000,000 instructions", "more than the 5,000 allowed");
        assertThat(Regexps.compileUncached("(((a{1000000000}){999999999}){99})").error())
                .contains("instructions");
    }

    @Test
    void syntaxErrorsAreRe2sOwn() {
        assertThat(Regexps.compileUncached("^5\\.14($").error()).contains("missing closing )");
        assertThat(Regexps.compileUncached("^(5)\\.\\1").error()).contains("invalid escape");
        assertThat(Regexps.compileUncached("(a{2)").valid()).isTrue(); // '{2' without '}' is a literal
    }

    @Test
    void theCacheIsBoundedByTheLengthOfWhatItHolds() {
        String big = "x".repeat(50_000);
        for (int i = 0; i < 40; i++) {
            Regexps.compile(big + i);
        }
        assertThat(Regexps.cacheWeight()[1]).isLessThanOrEqualTo(Regexps.MAX_CACHED_CHARS);
    }
}
