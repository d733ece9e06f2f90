package io.kmm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.kmm.BadModules;
import io.kmm.api.v1alpha1.Module;
import io.kmm.status.Conditions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Every Module of the {@link BadModules} table created at once, as raw JSON (the mock API server does not run the
 * CRD's schema, so this is also what a cluster with an older CRD would hold), next to one good Module in the same
 * namespace: each mistake the operator can see is reported in that Module's status with its reason and the field,
 * and the good Module rolls out and becomes Ready while the bad ones sit there.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class BadModulesTest extends ClusterTestBase {

    private static final ResourceDefinitionContext MODULES = new ResourceDefinitionContext.Builder()
            .withGroup(Module.GROUP).withVersion(Module.VERSION).withKind(Module.KIND).withPlural("modules")
            .withNamespaced(true).build();

    @Test
    void everyMistakeIsAnsweredAndTheGoodModuleRollsOut() {
        Map<String, String> pool = Map.of("pool", BadModules.POOL);
        cluster.addNode("bad-1", BadModules.KERNEL, pool);
        cluster.addNode("bad-2", BadModules.KERNEL, pool);
        client.secrets().inNamespace(BadModules.NAMESPACE).resource(new SecretBuilder().withNewMetadata()
                .withName(BadModules.OPAQUE_SECRET).endMetadata().withType("Opaque")
                .withData(Map.of("password", b64("s3cret"))).build()).create();
        client.secrets().inNamespace(BadModules.NAMESPACE).resource(new SecretBuilder().withNewMetadata()
                .withName(BadModules.GARBLED_SECRET).endMetadata().withType("Opaque")
                .withData(Map.of(".dockerconfigjson", b64("{not json"))).build()).create();

        List<BadModules.Case> cases = BadModules.all();
        for (BadModules.Case c : cases) {
            GenericKubernetesResource raw = client.getKubernetesSerialization().convertValue(c.module(),
                    GenericKubernetesResource.class);
            client.genericKubernetesResources(MODULES).inNamespace(BadModules.NAMESPACE).resource(raw).create();
        }
        cluster.apply(client.getKubernetesSerialization().convertValue(BadModules.good("good"), Module.class));

        // The good Module is not held up by the 40-odd bad ones created before it.
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders(BadModules.NAMESPACE, "good").size() == 1);
        cluster.markAvailable(cluster.loaders(BadModules.NAMESPACE, "good").get(0), 2);
        cluster.awaitCondition(BadModules.NAMESPACE, "good", Conditions.READY, "True");
        assertThat(cluster.condition(BadModules.NAMESPACE, "good", Conditions.DEGRADED)).isEqualTo("False");

        for (BadModules.Case c : cases) {
            if (c.statusReason() == null) {
                continue;
            }
            String name = c.module().path("metadata").path("name").asText();
            await().atMost(Cluster.TIMEOUT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                Module m = cluster.module(BadModules.NAMESPACE, name);
                Condition degraded = Conditions.find(m.getStatus().getConditions(), Conditions.DEGRADED)
                        .orElseThrow();
                assertThat(degraded.getStatus()).as(c.mistake()).isEqualTo("True");
                assertThat(degraded.getReason()).as(c.mistake()).isEqualTo(c.statusReason());
                assertThat(degraded.getMessage()).as(c.mistake()).contains(c.statusMessage());
                assertThat(Conditions.find(m.getStatus().getConditions(), Conditions.READY).orElseThrow()
                        .getStatus()).as(c.mistake()).isEqualTo("False");
            });
            assertThat(cluster.loaders(BadModules.NAMESPACE, name)).as("%s: no loader is created", c.mistake())
                    .isEmpty();
        }
        // Secret contents never reach a status.
        assertThat(client.resources(Module.class).inNamespace(BadModules.NAMESPACE).list().getItems())
                .allSatisfy(m -> assertThat(client.getKubernetesSerialization().asJson(m.getStatus()))
                        .doesNotContain("s3cret").doesNotContain("not json"));
    }

    @Test
    void modulesWaitingForAHangingRegistryDoNotHoldUpOthers() throws Exception {
        // A registry that accepts connections and never answers: each check takes the full kmm.registry.timeout.
        try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(blackHole.accept());
                    }
                } catch (Exception closed) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Map<String, String> pool = Map.of("pool", "hanging");
            cluster.addNode("hanging-1", BadModules.KERNEL, pool);
            // the operator has seen the node (its kernel label) before the Modules come: none is told "no node"
            await().atMost(Cluster.TIMEOUT).until(() -> cluster.client().nodes().withName("hanging-1").get()
                    .getMetadata().getLabels().containsKey(io.kmm.meta.Labels.KERNEL_VERSION));
            for (int i = 0; i < 30; i++) {
                var mapping = io.kmm.TestModules.regexp("^5\\.14\\.",
                        "127.0.0.1:" + blackHole.getLocalPort() + "/vendor/hang" + i + ":${KERNEL_FULL_VERSION}");
                io.kmm.api.v1alpha1.Build build = new io.kmm.api.v1alpha1.Build();
                build.setDockerfile("FROM scratch");
                mapping.setBuild(build);
                cluster.apply(io.kmm.TestModules.module("hanging", "hang-" + i, pool, mapping));
            }
            await().atMost(Cluster.TIMEOUT).until(() -> accepted.size() >= 30); // all 30 are waiting now
            cluster.apply(io.kmm.TestModules.module("hanging", "good", pool,
                    io.kmm.TestModules.regexp("^5\\.14\\.", "quay.io/vendor/good:${KERNEL_FULL_VERSION}")));

            await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders("hanging", "good").size() == 1);
            assertThat(java.util.stream.IntStream.range(0, 30).mapToObj(i -> cluster.module("hanging", "hang-" + i))
                    .filter(m -> m.getStatus() != null && m.getStatus().getConditions() != null
                            && !m.getStatus().getConditions().isEmpty()).count())
                    .as("the good Module rolled out while all 30 were still waiting for the registry").isZero();
            accepted.forEach(socket -> {
                try {
                    socket.close();
                } catch (java.io.IOException ignored) {
                    // closing
                }
            });
        }
    }

    @Test
    void oddKernelsAndHostileRegexpsAreHandled() {
        Map<String, String> pool = Map.of("pool", "odd");
        String plus = "6.8.0-rc1+";
        String longOne = "5.14.0-284.11.1.el9_2.x86_64+debug-" + "x".repeat(29); // 64: uname's limit
        String symbols = "6.1.0+vendor~build_1";
        cluster.addNode("odd-plus", plus, pool);
        cluster.addNode("odd-long", longOne, pool);
        cluster.addNode("odd-symbols", symbols, pool);
        cluster.addNode("odd-normal", "6.1.0-13-amd64", pool);

        // Hostile regexps (exponential for a backtracking engine) before a catch-all with a fixed tag.
        long started = System.nanoTime();
        cluster.apply(io.kmm.TestModules.module("odd", "hostile", pool,
                io.kmm.TestModules.regexp("^(a+)+$", "quay.io/vendor/never:1"),
                io.kmm.TestModules.regexp("^(x+x+)+y$", "quay.io/vendor/never:2"),
                io.kmm.TestModules.regexp("(.*a){20}", "quay.io/vendor/never:3"),
                io.kmm.TestModules.regexp(".*", "quay.io/vendor/odd:fixed")));
        // ${KERNEL_FULL_VERSION} of these kernels makes no valid tag: reported, the other kernels still load.
        cluster.apply(io.kmm.TestModules.module("odd", "tagged", pool,
                io.kmm.TestModules.regexp(".*", "quay.io/vendor/odd:${KERNEL_FULL_VERSION}")));

        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders("odd", "hostile").size() == 4);
        System.out.printf("4 kernels (3 odd) through 3 hostile regexps: loaders after %d ms%n",
                (System.nanoTime() - started) / 1_000_000);
        assertThat(cluster.loaders("odd", "hostile")).allSatisfy(ds -> {
            assertThat(ds.getMetadata().getName()).hasSizeLessThanOrEqualTo(63);
            assertThat(ds.getSpec().getTemplate().getSpec().getNodeSelector().values())
                    .allSatisfy(v -> assertThat(io.kmm.meta.LabelValues.isValid(v)).isTrue());
        });
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> {
            Condition degraded = Conditions.find(cluster.module("odd", "tagged").getStatus().getConditions(),
                    Conditions.DEGRADED).orElseThrow();
            assertThat(degraded.getReason()).isEqualTo("InvalidKernelMapping");
            assertThat(degraded.getMessage()).contains("\"quay.io/vendor/odd:6.8.0-rc1+\" is not a valid image reference")
                    .contains("kernels: ");
        });
        // The kernel whose version makes a valid tag gets its loader all the same.
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders("odd", "tagged").size() == 1);
        assertThat(cluster.loaders("odd", "tagged").get(0).getSpec().getTemplate().getSpec().getContainers().get(0)
                .getImage()).isEqualTo("quay.io/vendor/odd:6.1.0-13-amd64");
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
