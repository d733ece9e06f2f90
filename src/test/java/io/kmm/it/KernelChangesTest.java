package io.kmm.it;

import static io.kmm.TestModules.literal;
import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;
import io.kmm.status.Conditions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** Kernel upgrades, nodes leaving the selector and kernels no mapping matches. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class KernelChangesTest extends ClusterTestBase {

    static List<String> kernels(List<DaemonSet> loaders) {
        return loaders.stream().map(ds -> ds.getMetadata().getAnnotations().get(Labels.KERNEL_VERSION_ANNOTATION))
                .sorted().toList();
    }

    @Test
    void kernelUpgradeMovesTheNodeToTheNewKernelsLoader() {
        Map<String, String> pool = Map.of("pool", "upgrade");
        cluster.addNode("upgrade-1", "5.4.0-1054-gke", pool);
        cluster.addNode("upgrade-2", "5.4.0-1054-gke", pool);
        cluster.apply(module("upgrade", "mod", pool, regexp("-gke$", "reg/mod:${KERNEL_FULL_VERSION}")));
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders("upgrade", "mod").size() == 1);

        // One node reboots into a new kernel: relabelled, a new loader appears, the old one stays for the other node.
        cluster.setKernel("upgrade-1", "5.4.0-2000-gke");
        await().atMost(Cluster.TIMEOUT).until(() -> "5.4.0-2000-gke".equals(client.nodes().withName("upgrade-1").get()
                .getMetadata().getLabels().get(Labels.KERNEL_VERSION)));
        await().atMost(Cluster.TIMEOUT).until(() -> kernels(cluster.loaders("upgrade", "mod"))
                .equals(List.of("5.4.0-1054-gke", "5.4.0-2000-gke")));
        DaemonSet upgraded = cluster.loaders("upgrade", "mod").stream().filter(ds -> "5.4.0-2000-gke".equals(
                ds.getMetadata().getLabels().get(Labels.KERNEL_VERSION))).findFirst().orElseThrow();
        assertThat(upgraded.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("reg/mod:5.4.0-2000-gke");

        // The second node follows: the old kernel's loader is no longer used and is deleted.
        cluster.setKernel("upgrade-2", "5.4.0-2000-gke");
        await().atMost(Cluster.TIMEOUT).until(() -> kernels(cluster.loaders("upgrade", "mod"))
                .equals(List.of("5.4.0-2000-gke")));
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> assertThat(cluster.events("upgrade", "mod"))
                .extracting(Event::getReason).contains("DaemonSetDeleted"));
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> assertThat(cluster.module("upgrade", "mod").getStatus()
                .getKernels()).singleElement().satisfies(k -> {
                    assertThat(k.getKernel()).isEqualTo("5.4.0-2000-gke");
                    assertThat(k.getNodes()).isEqualTo(2);
                }));
    }

    @Test
    void aNodeLeavingTheSelectorLeavesItsLoader() {
        Map<String, String> pool = Map.of("pool", "leaving");
        cluster.addNode("leaving-1", "6.1.0-fedora", pool);
        cluster.addNode("leaving-2", "6.2.0-fedora", pool);
        cluster.apply(module("leaving", "mod", pool, regexp("fedora", "reg/mod:${KERNEL_XYZ}")));
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders("leaving", "mod").size() == 2);

        cluster.setLabels("leaving-2", Map.of("pool", "elsewhere"));
        await().atMost(Cluster.TIMEOUT).until(() -> kernels(cluster.loaders("leaving", "mod"))
                .equals(List.of("6.1.0-fedora")));
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.module("leaving", "mod").getStatus().getSelectedNodes() == 1);
    }

    @Test
    void unmatchedKernelIsSkippedAndReported() {
        Map<String, String> pool = Map.of("pool", "unmatched");
        cluster.addNode("unmatched-1", "5.16.11-200.fc35.x86_64", pool);
        cluster.addNode("unmatched-2", "4.18.0-rhel", pool);
        cluster.addNode("unmatched-3", "4.18.0-rhel", pool);
        cluster.apply(module("unmatched", "mod", pool, literal("5.16.11-200.fc35.x86_64", "reg/mod:fedora")));
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> {
            Module m = cluster.module("unmatched", "mod");
            assertThat(m.getStatus()).isNotNull();
            assertThat(m.getStatus().getUnmatchedKernels()).singleElement().satisfies(u -> {
                assertThat(u.getKernel()).isEqualTo("4.18.0-rhel");
                assertThat(u.getNodes()).isEqualTo(2);
            });
            assertThat(m.getStatus().getTargetedNodes()).isEqualTo(1);
            assertThat(Conditions.find(m.getStatus().getConditions(), Conditions.READY).orElseThrow().getMessage())
                    .contains("2 selected node(s) skipped").contains("4.18.0-rhel");
        });
        assertThat(kernels(cluster.loaders("unmatched", "mod"))).containsExactly("5.16.11-200.fc35.x86_64");
    }
}
