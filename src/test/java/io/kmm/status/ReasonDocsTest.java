package io.kmm.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** Every reason a user can meet, in a condition or an event, is explained in docs/troubleshooting.md. */
class ReasonDocsTest {

    @Test
    void everyReasonIsDocumented() throws Exception {
        String doc = Files.readString(Path.of("docs/troubleshooting.md"));
        assertThat(Arrays.stream(Reason.values()).filter(r -> !doc.contains("| `" + r + "` |")).map(Reason::toString))
                .as("reasons without a row in a table of docs/troubleshooting.md").isEmpty();
    }

    @Test
    void reasonsReadAsKubernetesReasons() {
        assertThat(Reason.INVALID_KERNEL_MAPPING).hasToString("InvalidKernelMapping");
        assertThat(Reason.DAEMON_SET_REJECTED).hasToString("DaemonSetRejected");
        for (Reason r : Reason.values()) {
            assertThat(r.toString()).matches("[A-Z][A-Za-z]+");
            assertThat(Reason.of(r.toString())).isEqualTo(r);
        }
    }
}
