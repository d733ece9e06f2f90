package io.kmm.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;
import io.kmm.status.Conditions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Starts the application as {@code ./mvnw quarkus:dev} does (the dev profile), with no kubeconfig and no cluster:
 * the embedded API server starts, the example nodes and Module of dev/cluster/ are loaded, and the real controllers
 * roll the Module out.
 */
@QuarkusTest
@TestProfile(EmbeddedRunTest.DevProfile.class)
class EmbeddedRunTest {

    public static class DevProfile implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "dev";
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kmm.dev.embedded-api-server", "auto", "kmm.dev.local-cluster", "off",
                    "kmm.dev.embedded-api-server-port", String.valueOf(PORT),
                    "kmm.dev.manifests-dir", MANIFESTS.toString());
        }
    }

    /** dev/cluster/, copied, so that the test can add files to it as a user would. */
    static final Path MANIFESTS = copyOfDevCluster();
    static final int PORT = freePort();

    static Path copyOfDevCluster() {
        try {
            Path copy = Path.of("target/embedded-run-manifests");
            if (Files.exists(copy)) {
                try (var old = Files.list(copy)) {
                    for (Path p : old.toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(copy);
            try (var files = Files.list(Path.of("dev/cluster"))) {
                for (Path p : files.toList()) {
                    Files.copy(p, copy.resolve(p.getFileName()));
                }
            }
            return copy;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Inject
    KubernetesClient client;

    @Inject
    EmbeddedApiServer embedded;

    @Test
    void exampleModuleRollsOutOnTheEmbeddedApiServer() {
        assertThat(embedded.isRunning()).isTrue();
        assertThat(client.getMasterUrl().getHost()).isIn("127.0.0.1", "localhost");
        assertThat(client.getMasterUrl().getPort()).as("kmm.dev.embedded-api-server-port").isEqualTo(PORT);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(client.apps().daemonSets().inNamespace("default")
                    .withLabel(Labels.MODULE_NAME, "module-sample").withLabel(Labels.ROLE, Labels.ROLE_MODULE_LOADER)
                    .list().getItems()).hasSize(3);
            Module m = client.resources(Module.class).inNamespace("default").withName("module-sample").get();
            assertThat(m.getStatus()).isNotNull();
            assertThat(m.getStatus().getTargetedNodes()).isEqualTo(3);
            assertThat(m.getStatus().getUnmatchedKernels()).singleElement()
                    .satisfies(u -> assertThat(u.getKernel()).isEqualTo("5.14.0-284.11.1.el9_2.x86_64"));
            assertThat(m.getStatus().getDevicePlugin().getAvailable()).isEqualTo(3); // not on the unmatched node
            // The simulated DaemonSet controller reports the pods, so the Module becomes Ready.
            assertThat(Conditions.find(m.getStatus().getConditions(), Conditions.READY).orElseThrow().getStatus())
                    .isEqualTo("True");
        });
        // The kernel without a vendor image was built in the cluster (a simulated Kaniko Job) before its loader ran.
        assertThat(client.batch().v1().jobs().inNamespace("default").withLabel(Labels.ROLE, Labels.ROLE_BUILD).list()
                .getItems()).singleElement().satisfies(job -> assertThat(job.getSpec().getTemplate().getSpec()
                        .getContainers().get(0).getArgs()).contains("--destination=quay.io/vendor/module-sample:gke"));
        assertThat(client.nodes().withName("gke-worker-2").get().getMetadata().getLabels())
                .containsEntry(Labels.KERNEL_VERSION, "5.4.0-1060-gke");
    }

    @Test
    void manifestsAddedOrChangedWhileRunningAreApplied() throws Exception {
        String node = """
                apiVersion: v1
                kind: Node
                metadata:
                  name: added-while-running
                  labels:
                    pool: %s
                status:
                  nodeInfo:
                    kernelVersion: 6.1.0-13-amd64
                """;
        Path file = MANIFESTS.resolve("50-my-node.yaml");
        Files.writeString(file, node.formatted("first"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(client.nodes()
                .withName("added-while-running").get()).isNotNull()
                .satisfies(n -> assertThat(n.getMetadata().getLabels()).containsEntry("pool", "first")));
        Files.writeString(file, node.formatted("second"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(client.nodes()
                .withName("added-while-running").get().getMetadata().getLabels()).containsEntry("pool", "second"));
    }

    @Test
    void summaryTableShowsKernelsImagesAndDaemonSets() {
        Module m = await().atMost(Duration.ofSeconds(30)).until(
                () -> client.resources(Module.class).inNamespace("default").withName("module-sample").get(),
                mod -> mod != null && mod.getStatus() != null && mod.getStatus().getKernels().size() == 3);
        String table = DevSummary.table("default/module-sample", m.getStatus());
        assertThat(table).contains("KERNEL", "IMAGE", "NODES", "DAEMONSET", "BUILD")
                .contains("quay.io/vendor/module-sample:ubuntu-5.4.0-1054-gke")
                .contains("quay.io/vendor/module-sample:gke")
                .contains("(no kernel mapping matches)");
    }
}
