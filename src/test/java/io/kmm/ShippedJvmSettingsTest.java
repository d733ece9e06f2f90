package io.kmm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The JVM settings the operator ships with are the same in the image (Jib's entrypoint and environment), in the
 * Deployment of {@code kubernetes/} (JAVA_OPTS_APPEND, read by the Red Hat images' run-java.sh, and the environment)
 * and in the docs that state them: the peer benchmark measures what the image sets (docs/performance.md).
 */
class ShippedJvmSettingsTest {

    static Map<String, String> deploymentEnvironment() throws IOException {
        String yaml = Files.readString(Path.of("kubernetes/kmm-operator.yml"));
        Map<String, String> env = new LinkedHashMap<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (!doc.contains("kind: Deployment")) {
                continue;
            }
            HasMetadata o = Serialization.unmarshal(doc);
            if (o instanceof Deployment d) {
                for (EnvVar e : d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
                    if (e.getValue() != null) {
                        env.put(e.getName(), e.getValue());
                    }
                }
            }
        }
        assertThat(env).as("the Deployment's environment").isNotEmpty();
        return env;
    }

    @Test
    void theDeploymentRunsTheJvmAsTheImageDoes() throws IOException {
        Map<String, String> deployment = deploymentEnvironment();
        assertThat(deployment.get("JAVA_OPTS_APPEND")).isEqualTo(String.join(" ", ShippedSettings.jvmOptions()));
        assertThat(ShippedSettings.environment()).isNotEmpty();
        ShippedSettings.environment().forEach((name, value) -> assertThat(deployment.get(name)).as(name)
                .isEqualTo(value));
    }

    /** A doc with its line breaks as spaces (the docs wrap long lines). */
    static String oneLine(String doc) throws IOException {
        return Files.readString(Path.of(doc)).replaceAll("\\s+", " ");
    }

    @Test
    void theDocsStateTheShippedSettings() throws IOException {
        String options = String.join(" ", ShippedSettings.jvmOptions());
        assertThat(oneLine("docs/install.md")).contains("java " + options + " -jar quarkus-run.jar")
                .contains("JAVA_OPTS_APPEND");
        String performance = oneLine("docs/performance.md");
        assertThat(performance).contains("`" + options + "`");
        ShippedSettings.environment().forEach((name, value) -> assertThat(performance)
                .contains("`" + name + "=" + value + "`"));
    }

    /** The native executable's instruction set (AES-NI for TLS) is the one docs/install.md states. */
    @Test
    void theDocsStateTheNativeInstructionSet() throws IOException {
        java.util.Properties properties = new java.util.Properties();
        try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            properties.load(in);
        }
        String march = properties.getProperty("quarkus.native.march");
        assertThat(march).as("quarkus.native.march").isEqualTo("haswell");
        assertThat(oneLine("docs/install.md")).contains("`quarkus.native.march=" + march + "`");
    }
}
