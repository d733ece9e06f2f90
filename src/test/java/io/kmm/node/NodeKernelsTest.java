package io.kmm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** What a kernel release may look like: the hand-written check says exactly what {@link NodeKernels#RELEASE} says. */
class NodeKernelsTest {

    static boolean byPattern(String kernel) {
        return kernel.length() <= NodeKernels.MAX_RELEASE && NodeKernels.RELEASE.matcher(kernel).matches();
    }

    @Test
    void releases() {
        for (String ok : new String[] { "6.1.0-bench", "5.14.0-284.el9.x86_64", "6.8.0-rc1+", "4.18.0_1~x", "a" }) {
            assertThat(NodeKernels.validRelease(ok)).as(ok).isTrue();
        }
        for (String bad : new String[] { "", "-6.1", ".6", "6.1\n", "6.1 0", "6.1/0", "6.1;rm", "\u00e96.1",
                "6".repeat(65) }) {
            assertThat(NodeKernels.validRelease(bad)).as(bad).isFalse();
        }
        assertThat(NodeKernels.validRelease("6".repeat(64))).isTrue();
    }

    @Test
    void theSameAnswersAsThePattern() {
        Random random = new Random(24);
        String alphabet = "aZ09._+~-/ \n\u00e9;:";
        for (int i = 0; i < 200_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(70);
            for (int j = 0; j < n; j++) {
                b.append(random.nextInt(8) == 0 ? alphabet.charAt(random.nextInt(alphabet.length()))
                        : alphabet.charAt(random.nextInt(4)));
            }
            String s = b.toString();
            assertThat(NodeKernels.validRelease(s)).as(s).isEqualTo(byPattern(s));
        }
    }
}
