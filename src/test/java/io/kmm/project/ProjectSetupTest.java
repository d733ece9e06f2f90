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

    /**
     * ./mvnw quarkus:dev builds into its own folder: it used to overwrite target/quarkus-app with a dev build, after
     * which java -jar target/quarkus-app/quarkus-run.jar failed in Dev UI code (checked by hand: the packaged files'
     * checksums are the same before and after a dev-mode run).
     */
    @Test
    void devModeLeavesThePackagedApplicationAlone() throws Exception {
        java.util.Properties p = new java.util.Properties();
        try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            p.load(in);
        }
        assertThat(p.getProperty("%dev.quarkus.package.output-directory")).isNotBlank().isNotEqualTo("quarkus-app");
        assertThat(p.getProperty("quarkus.package.output-directory", "quarkus-app")).isEqualTo("quarkus-app");
        assertThat(p.getProperty("%dev.quarkus.operator-sdk.crd.output-directory")).isEqualTo("target/kubernetes");
    }
}
