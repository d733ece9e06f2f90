package io.kmm.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code ./mvnw quarkus:dev} without a configured cluster, on a machine where the local control plane is built: dev
 * mode starts it, loads dev/cluster/ (its Nodes run by kwok), and a newcomer's kubectl commands from the README work
 * against it, with the real kubectl.
 */
@QuarkusTest
@TestProfile(LocalClusterRunTest.DevProfile.class)
class LocalClusterRunTest {

    static {
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    static final Map<String, String> ENV = env();

    public static class DevProfile implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "dev";
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new LinkedHashMap<>();
            config.put("kmm.dev.embedded-api-server", "auto");
            config.put("kmm.dev.local-cluster", "on");
            ENV.forEach((k, v) -> config.put("kmm.dev.local-cluster-env." + k, v));
            return config;
        }
    }

    @Inject
    EmbeddedApiServer devCluster;

    @AfterAll
    static void down() throws Exception {
        run("down");
    }

    @Test
    void devModeRunsOnTheLocalControlPlaneAndKubectlWorks() throws Exception {
        assertThat(devCluster.isLocalCluster()).isTrue();
        assertThat(devCluster.isRunning()).as("no embedded server").isFalse();

        String nodes = kubectl("get", "nodes", "-o", "wide");
        assertThat(nodes).contains("fedora-worker-1", "gke-worker-2", "rhel-worker-1", "5.16.11-200.fc35.x86_64");
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(kubectl("get", "nodes", "-L", "ooto.sigs.k8s.io/kernel-version.full"))
                    .contains("5.4.0-1060-gke");
            String module = kubectl("get", "modules", "-n", "default");
            assertThat(module).contains("module-sample").contains("True");
        });
        assertThat(kubectl("get", "daemonsets", "-n", "default", "-l", "ooto.sigs.k8s.io/module.name=module-sample"))
                .contains("module-sample-5-16-11-200-fc35-x86-64");
        assertThat(kubectl("describe", "module", "module-sample", "-n", "default")).contains("Ready");
        assertThat(kubectl("get", "jobs", "-n", "default")).contains("Complete");
        // the README's next step: kubectl apply of a Module that dev mode loaded, without a warning about the
        // last-applied-configuration annotation
        String applied = kubectl("apply", "-n", "default", "-f", "dev/cluster/20-module-sample.yaml");
        assertThat(applied).contains("module-sample").doesNotContain("Warning");
        assertThat(kubectl("describe", "module", "module-sample", "-n", "default")).as("no empty Warnings: key")
                .doesNotContain("Warnings:");
    }

    private static String kubectl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("kubectl"));
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new));
    }

    private static String run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of("dev", "local-cluster").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("kubectl", ".out");
        try {
            ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            b.environment().putAll(ENV);
            Process p = b.start();
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", args) + " failed: " + Files.readString(out));
            }
            return Files.readString(out);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KMM_CLUSTER_STATE", Path.of("target", "dev-local-cluster").toAbsolutePath().toString());
        try {
            env.putAll(io.kmm.e2e.LocalCluster.freePorts());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return env;
    }
}
