package io.kmm.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** What a newcomer's first run command depends on. */
class ProjectSetupTest {

    /**
     * Without it, the first {@code ./mvnw quarkus:dev} on a machine asks whether to send Quarkus build analytics and,
     * with no terminal, waits for an answer. The Maven wrapper reads {@code .mvn/jvm.config} for every run.
     */
    @Test
    void quarkusAnalyticsPromptIsOffForTheProject() throws Exception {
        assertThat(Files.readString(Path.of(".mvn/jvm.config")).split("\\s+"))
                .contains("-Dquarkus.analytics.disabled=true");
    }
}
