package io.kmm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.KernelStatus;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;
import io.kmm.status.Conditions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** The design's sample Module on three nodes with two kernels, from creation to Ready and a silent steady state. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ModuleRolloutTest extends ClusterTestBase {

    static final String NS = "rollout";
    static final String VMX = "feature.node.kubernetes.io/cpu-cpuid.VMX";
    static final String FEDORA = "5.16.11-200.fc35.x86_64";
    static final String GKE = "5.4.0-1054-gke";

    @Test
    void designSampleRollsOutToReadyAndThenSendsNothing() throws Exception {
        cluster.addNode("rollout-fedora-1", FEDORA, Map.of(VMX, "true"));
        cluster.addNode("rollout-fedora-2", FEDORA, Map.of(VMX, "true"));
        cluster.addNode("rollout-gke-1", GKE, Map.of(VMX, "true"));
        cluster.addNode("rollout-not-selected", GKE, Map.of(VMX, "false"));
        Module design = cluster.load(Path.of("docs/examples/module-sample.yaml"), NS);
        design.getSpec().setModprobe(null); // as the design notes wrote it: the user's own loader, no modprobe section
        cluster.apply(design);

        // Nodes are labelled with their kernel.
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> {
            assertThat(client.nodes().withName("rollout-fedora-1").get().getMetadata().getLabels())
                    .containsEntry(Labels.KERNEL_VERSION, FEDORA).containsEntry(VMX, "true");
            assertThat(client.nodes().withName("rollout-gke-1").get().getMetadata().getLabels())
                    .containsEntry(Labels.KERNEL_VERSION, GKE);
        });

        // One loader DaemonSet per kernel, with the mapped image and the right node selector.
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders(NS, "module-sample").size() == 2);
        List<DaemonSet> loaders = cluster.loaders(NS, "module-sample");
        assertThat(loaders).extracting(ds -> ds.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .containsExactlyInAnyOrder("quay.io/vendor/module-sample:fedora-5.16.11-200.fc35.x86_64",
                        "quay.io/vendor/module-sample:ubuntu-5.4.0-1054-gke");
        DaemonSet fedora = loaders.stream().filter(ds -> FEDORA.equals(ds.getMetadata().getLabels()
                .get(Labels.KERNEL_VERSION))).findFirst().orElseThrow();
        assertThat(fedora.getSpec().getTemplate().getSpec().getNodeSelector())
                .containsExactlyInAnyOrderEntriesOf(Map.of(VMX, "true", Labels.KERNEL_VERSION, FEDORA));
        assertThat(fedora.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getName()).isEqualTo("module-sample"));
        var loaderContainer = fedora.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(loaderContainer.getName()).isEqualTo("module-loader");
        assertThat(loaderContainer.getSecurityContext().getCapabilities().getAdd()).containsExactly("SYS_MODULE");
        assertThat(fedora.getSpec().getTemplate().getSpec().getVolumes()).extracting(v -> v.getName())
                .contains("kmm-lib-modules", "kmm-usr-lib-modules", "some-volume");

        // The device plugin runs beside them.
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.daemonSets(NS, "module-sample",
                Labels.ROLE_DEVICE_PLUGIN).size() == 1);
        DaemonSet devicePlugin = cluster.daemonSets(NS, "module-sample", Labels.ROLE_DEVICE_PLUGIN).get(0);

        // Not ready until the DaemonSet controller reports the pods available.
        cluster.awaitCondition(NS, "module-sample", Conditions.PROGRESSING, "True");
        assertThat(cluster.condition(NS, "module-sample", Conditions.READY)).isEqualTo("False");
        cluster.markAvailable(fedora, 2);
        cluster.markAvailable(loaders.stream().filter(ds -> ds != fedora).findFirst().orElseThrow(), 1);
        cluster.markAvailable(devicePlugin, 3);
        cluster.awaitCondition(NS, "module-sample", Conditions.READY, "True");

        Module module = cluster.module(NS, "module-sample");
        assertThat(module.getStatus().getObservedGeneration()).isEqualTo(module.getMetadata().getGeneration());
        assertThat(module.getStatus().getSelectedNodes()).isEqualTo(3);
        assertThat(module.getStatus().getTargetedNodes()).isEqualTo(3);
        assertThat(module.getStatus().getAvailableNodes()).isEqualTo(3);
        assertThat(module.getStatus().getKernels()).extracting(KernelStatus::getKernel, KernelStatus::getNodes,
                KernelStatus::getDesired, KernelStatus::getAvailable).containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(FEDORA, 2, 2, 2),
                        org.assertj.core.groups.Tuple.tuple(GKE, 1, 1, 1));
        assertThat(module.getStatus().getDevicePlugin().getAvailable()).isEqualTo(3);
        assertThat(cluster.condition(NS, "module-sample", Conditions.PROGRESSING)).isEqualTo("False");
        assertThat(cluster.condition(NS, "module-sample", Conditions.DEGRADED)).isEqualTo("False");

        // The sample has no preStop hook: a warning in status and a Warning event.
        assertThat(module.getStatus().getWarnings()).containsExactly(io.kmm.status.Warning.MISSING_PRE_STOP.message());
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> assertThat(cluster.events(NS, "module-sample"))
                .extracting(Event::getReason).contains("DaemonSetCreated", "MissingPreStop"));

        // Steady state: events that bring the Module back (a label change on a selected node, a DaemonSet status
        // update) cause reconciles that find everything as desired and send no write at all.
        cluster.drainRequests();
        cluster.setLabels("rollout-fedora-1", Map.of(VMX, "true", Labels.KERNEL_VERSION, FEDORA, "rack", "r1"));
        cluster.markAvailable(fedora, 2);
        cluster.markAvailable(devicePlugin, 3);
        Thread.sleep(3000);
        List<String> operatorWrites = cluster.recordedRequests().stream().filter(Cluster::isWrite)
                .filter(r -> !r.equals("PUT /api/v1/nodes/rollout-fedora-1"))
                .filter(r -> !r.matches("PUT /apis/apps/v1/namespaces/rollout/daemonsets/[^/]+/status"))
                .toList();
        assertThat(operatorWrites).as("writes by the operator in the steady state").isEmpty();
    }

    /**
     * A Module that targets nothing is not an error, but it says so: the Ready reason and message (why), a warning, one
     * event; a pull secret that does not exist is one warning and one event, whatever the number of kernels.
     */
    @Test
    void aModuleLoadedNowhereAndAMissingPullSecretAreSaid() throws Exception {
        String ns = "nowhere";
        Module m = io.kmm.TestModules.module(ns, "nowhere", Map.of("pool", "not-yet"),
                io.kmm.TestModules.regexp("^6\\.9\\.", "quay.io/vendor/nowhere:${KERNEL_FULL_VERSION}"));
        m.getSpec().setImageRepoSecret(new io.fabric8.kubernetes.api.model.LocalObjectReference("pull"));
        cluster.apply(m);

        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> {
            var ready = Conditions.find(cluster.module(ns, "nowhere").getStatus().getConditions(), Conditions.READY)
                    .orElseThrow();
            assertThat(ready.getReason()).isEqualTo("NoTargetedNodes");
            assertThat(ready.getMessage()).startsWith("No node is targeted: no node has the labels of spec.selector");
        });
        assertThat(cluster.module(ns, "nowhere").getStatus().getWarnings()).hasSize(2)
                .anySatisfy(w -> assertThat(w).startsWith("spec.imageRepoSecret: Secret nowhere/pull does not exist"))
                .anySatisfy(w -> assertThat(w).startsWith("no node is targeted"));
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> assertThat(cluster.events(ns, "nowhere"))
                .extracting(Event::getReason).contains("NoTargetedNodes", "ImageRepoSecretMissing"));

        // Two nodes with kernels the mapping matches: targeted, and the NoTargetedNodes warning goes
        cluster.addNode("nowhere-1", "6.9.1-generic", Map.of("pool", "not-yet"));
        cluster.addNode("nowhere-2", "6.9.2-generic", Map.of("pool", "not-yet"));
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders(ns, "nowhere").size() == 2);
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> {
            Module now = cluster.module(ns, "nowhere");
            assertThat(now.getStatus().getTargetedNodes()).isEqualTo(2);
            assertThat(now.getStatus().getWarnings()).singleElement().asString()
                    .startsWith("spec.imageRepoSecret: Secret nowhere/pull does not exist");
        });
        assertThat(cluster.events(ns, "nowhere")).filteredOn(e -> "ImageRepoSecretMissing".equals(e.getReason()))
                .as("told once per Module, not per kernel").hasSize(1);
    }
}
