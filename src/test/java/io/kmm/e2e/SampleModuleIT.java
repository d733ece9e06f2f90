package io.kmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;
import io.kmm.status.Conditions;

/**
 * The design's sample Module on a real control plane, applied with the real kubectl, reconciled by the packaged
 * operator running as the ServiceAccount of kubernetes/: kernel labels, loader DaemonSets admitted by the real API
 * server, pods created by the real DaemonSet controller (scheduled by the real scheduler, Ready under kwok), Ready
 * from real DaemonSet status; then a kernel upgrade, a node leaving the selector, the device plugin removed and
 * added back, and the Module deleted (its DaemonSets removed by the real garbage collector).
 */
class SampleModuleIT {

    static {
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    private static final String NS = "e2e-sample";
    private static final String VMX = "feature.node.kubernetes.io/cpu-cpuid.VMX";
    private static final String FEDORA = "5.16.11-200.fc35.x86_64";
    private static final String FEDORA_NEW = "5.17.5-300.fc36.x86_64";
    private static final String GKE = "5.4.0-1054-gke";
    private static final String RHEL = "5.14.0-284.11.1.el9_2.x86_64";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static Scenario scenario;
    private static LocalCluster cluster;
    private static Kube kube;

    @BeforeAll
    static void installAndStart() throws Exception {
        scenario = Scenario.begin(SampleModuleIT.class, NS);
        cluster = scenario.cluster;
        kube = scenario.kube;
        cluster.addNode("sample-fedora-1", FEDORA, Map.of(VMX, "true"));
        cluster.addNode("sample-fedora-2", FEDORA, Map.of(VMX, "true"));
        cluster.addNode("sample-gke-1", GKE, Map.of(VMX, "true"));
        cluster.addNode("sample-rhel-1", RHEL, Map.of(VMX, "true"));
        cluster.addNode("sample-no-vmx", FEDORA, Map.of());
        scenario.startOperator(Installation.QUICK_LEASE);
    }

    @AfterAll
    static void stop() throws Exception {
        List<String> used = scenario.finish("sample-fedora-1", "sample-fedora-2", "sample-gke-1", "sample-rhel-1",
                "sample-no-vmx");
        System.out.println("[SampleModuleIT] the operator used: " + used);
    }

    @Test
    void everyObjectOfTheInstallIsAccepted() {
        Installation installation = scenario.installation;
        assertThat(installation.applyOutput).contains(
                "customresourcedefinition.apiextensions.k8s.io/modules.ooto.sigs.k8s.io", "namespace/kmm-system", "serviceaccount/kmm-operator", "clusterrole.rbac.authorization.k8s.io/kmm-operator",
                "clusterrolebinding.rbac.authorization.k8s.io/kmm-operator",
                "role.rbac.authorization.k8s.io/kmm-operator-leader-election", "deployment.apps/kmm-operator");
        assertThat(installation.applyOutput.lines()).allSatisfy(l -> assertThat(l)
                .matches(".* (created|configured|unchanged)$"));
        assertThat(installation.bundleCrdOutput)
                .contains("customresourcedefinition.apiextensions.k8s.io/modules.ooto.sigs.k8s.io");
    }

    /**
     * Every watch event is parsed once per informer that receives it (a heartbeat per node every few tens of seconds,
     * a DaemonSet status update per loader pod that starts): the operator watches Nodes once (the node labeller's
     * informer, which the Module controller shares) and DaemonSets once (the Module controller's, which the labeller
     * shares). Informers list once, then watch; the test runs for minutes, far less than a watch lives before the API
     * server closes it.
     */
    @Test
    void theOperatorListsNodesAndDaemonSetsOnce() throws Exception {
        await().atMost(TIMEOUT).until(() -> kube.kernelLabel("sample-no-vmx") != null);
        List<AuditLog.Entry> lists = AuditLog.of(cluster.auditLog(), Installation.USER, scenario.since).stream()
                .filter(e -> e.verb().equals("list")).toList();
        assertThat(lists.stream().filter(e -> e.resource().equals("nodes")).map(AuditLog.Entry::uri))
                .as("the operator's lists of nodes (one informer)").hasSize(1);
        assertThat(lists.stream().filter(e -> e.resource().equals("daemonsets")).map(AuditLog.Entry::uri))
                .as("the operator's lists of DaemonSets (one informer)").hasSize(1);
    }

    @Test
    void theSampleRollsOutFollowsKernelsAndNodesAndIsCollectedOnDelete() throws Exception {
        cluster.kubectlOk("apply", "-n", NS, "-f", "docs/examples/module-sample.yaml");

        // Kernel labels on every node, from the real status.nodeInfo.
        await().atMost(TIMEOUT).until(() -> FEDORA.equals(kube.kernelLabel("sample-fedora-1"))
                && FEDORA.equals(kube.kernelLabel("sample-no-vmx")) && GKE.equals(kube.kernelLabel("sample-gke-1"))
                && RHEL.equals(kube.kernelLabel("sample-rhel-1")));

        // One loader DaemonSet per mapped kernel, its pods on exactly the nodes with that kernel and the selector.
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(podsOn(loader(FEDORA))).isEqualTo(Set.of("sample-fedora-1", "sample-fedora-2"));
            assertThat(podsOn(loader(GKE))).isEqualTo(Set.of("sample-gke-1"));
            assertThat(kube.loaders(NS, "module-sample")).hasSize(2);
        });
        DaemonSet fedora = loader(FEDORA);
        assertThat(fedora.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("quay.io/vendor/module-sample:fedora-5.16.11-200.fc35.x86_64");
        assertThat(fedora.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("Module"));
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(kube.devicePlugins(NS, "module-sample"))
                .singleElement().satisfies(ds -> assertThat(ds.getStatus().getNumberAvailable()).isPositive()));
        // The real API server admits the node-critical priority class outside kube-system, for loaders and plugins.
        assertThat(cluster.admin().pods().inNamespace(NS).withLabel(Labels.MODULE_NAME, "module-sample").list()
                .getItems()).hasSizeGreaterThanOrEqualTo(4).allSatisfy(pod -> {
                    assertThat(pod.getSpec().getPriorityClassName()).isEqualTo("system-node-critical");
                    assertThat(pod.getSpec().getPriority()).isEqualTo(2_000_001_000);
                });
        assertThat(fedora.getSpec().getUpdateStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isZero();
        awaitReady(3);
        assertThat(kube.module(NS, "module-sample").getStatus().getUnmatchedKernels()).isNotEmpty();
        String table = cluster.kubectlOk("get", "modules", "-n", NS);
        assertThat(table).contains("module-sample").contains("True");
        // the columns in the order docs/module-api.md shows them
        assertThat(table.lines().findFirst().orElseThrow().split("\\s+"))
                .containsExactly("NAME", "READY", "NODES", "AVAILABLE", "AGE", "REASON");

        // A kernel upgrade: the user maps the new kernel, then the node reboots into it.
        cluster.kubectlOk("patch", "module", "module-sample", "-n", NS, "--type=json", "-p",
                "[{\"op\":\"add\",\"path\":\"/spec/kernelMappings/0\",\"value\":{\"literal\":\"" + FEDORA_NEW
                        + "\",\"containerImage\":\"quay.io/vendor/module-sample:fedora-" + FEDORA_NEW + "\"}}]");
        cluster.setKernel("sample-fedora-2", FEDORA_NEW);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(kube.kernelLabel("sample-fedora-2")).isEqualTo(FEDORA_NEW);
            assertThat(podsOn(loader(FEDORA_NEW))).isEqualTo(Set.of("sample-fedora-2"));
            assertThat(podsOn(loader(FEDORA))).isEqualTo(Set.of("sample-fedora-1"));
        });
        awaitReady(3);

        // A node leaves the selector: its loader pod goes, and so does the DaemonSet no node needs any more.
        cluster.kubectlOk("label", "node", "sample-fedora-1", VMX + "=false", "--overwrite");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(kube.loaders(NS, "module-sample")).extracting(ds -> ds.getMetadata().getAnnotations()
                    .get(Labels.KERNEL_VERSION_ANNOTATION)).containsExactlyInAnyOrder(FEDORA_NEW, GKE);
            assertThat(podsOn(loader(FEDORA_NEW))).isEqualTo(Set.of("sample-fedora-2"));
        });
        awaitReady(2);

        // The device plugin removed, then added back.
        cluster.kubectlOk("patch", "module", "module-sample", "-n", NS, "--type=json", "-p",
                "[{\"op\":\"remove\",\"path\":\"/spec/devicePlugin\"}]");
        await().atMost(TIMEOUT).until(() -> kube.devicePlugins(NS, "module-sample").isEmpty()
                && kube.observed(NS, "module-sample"));
        cluster.kubectlOk("patch", "module", "module-sample", "-n", NS, "--type=merge", "-p",
                "{\"spec\":{\"devicePlugin\":{\"name\":\"plugin\",\"image\":\"quay.io/vendor/plugin:v2\"}}}");
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(kube.devicePlugins(NS, "module-sample"))
                .singleElement().satisfies(ds -> {
                    assertThat(ds.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                            .isEqualTo("quay.io/vendor/plugin:v2");
                    assertThat(ds.getStatus().getNumberAvailable()).isPositive();
                }));
        awaitReady(2);

        // The Module deleted: the real garbage collector removes its DaemonSets and their pods.
        cluster.kubectlOk("delete", "module", "module-sample", "-n", NS);
        await().atMost(TIMEOUT).until(() -> cluster.admin().apps().daemonSets().inNamespace(NS)
                .withLabel(Labels.MODULE_NAME, "module-sample").list().getItems().isEmpty()
                && cluster.admin().pods().inNamespace(NS).list().getItems().isEmpty());
    }

    private static void awaitReady(int targeted) {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            Module m = kube.module(NS, "module-sample");
            assertThat(kube.observed(NS, "module-sample")).isTrue();
            assertThat(m.getStatus().getTargetedNodes()).isEqualTo(targeted);
            assertThat(kube.conditionStatus(NS, "module-sample", Conditions.READY)).as(m.getStatus().toString())
                    .isEqualTo("True");
        });
    }

    private static DaemonSet loader(String kernel) {
        return kube.loaders(NS, "module-sample").stream()
                .filter(ds -> kernel.equals(ds.getMetadata().getAnnotations().get(Labels.KERNEL_VERSION_ANNOTATION)))
                .findFirst().orElseThrow(() -> new AssertionError("no loader DaemonSet for " + kernel));
    }

    private static Set<String> podsOn(DaemonSet ds) {
        return kube.readyPodsByNode(NS, ds).keySet();
    }
}
