package io.kmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.kmm.TestModules;
import io.kmm.api.v1alpha1.Modprobe;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;
import io.kmm.status.Conditions;

/**
 * {@code spec.modprobe}, module-ready node labels and the device plugin that follows them, on the real control
 * plane: the generated loader admitted by the API server, its pods Ready under kwok, the label on exactly those
 * nodes, device-plugin pods only there; a loader pod deleted takes the label off until its replacement is Ready; a
 * kernel upgrade takes the label off with the new kernel label and puts it back with the new kernel's pod; the Module
 * deleted takes every label off. The operator never
 * writes a pod and reads pods only with its label selector (audit log).
 */
class ModuleReadyIT {

    static {
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    private static final String NS = "e2e-ready";
    private static final String POOL = "ready";
    private static final String KERNEL = "6.1.0-ready.x86_64";
    private static final String NEW_KERNEL = "6.1.5-ready.x86_64";
    private static final String[] NODES = { "ready-1", "ready-2", "ready-unmatched" };
    private static final String LABEL = Labels.moduleReady(NS, "mod");
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Scenario scenario;
    private static LocalCluster cluster;
    private static Kube kube;

    @BeforeAll
    static void start() throws Exception {
        scenario = Scenario.begin(ModuleReadyIT.class, NS);
        cluster = scenario.cluster;
        kube = scenario.kube;
        cluster.addNode(NODES[0], KERNEL, Map.of("pool", POOL));
        cluster.addNode(NODES[1], KERNEL, Map.of("pool", POOL));
        cluster.addNode(NODES[2], "4.18.0-old", Map.of("pool", POOL));
        scenario.startOperator(Installation.QUICK_LEASE);
    }

    @AfterAll
    static void finish() throws Exception {
        List<String> used = scenario.finish(NODES);
        System.out.println("[ModuleReadyIT] the operator used: " + used);
    }

    static Set<String> labelled() {
        Set<String> nodes = new TreeSet<>();
        for (String n : NODES) {
            Map<String, String> labels = cluster.admin().nodes().withName(n).get().getMetadata().getLabels();
            if (Labels.READY_VALUE.equals(labels.get(LABEL))) {
                nodes.add(n);
            }
        }
        return nodes;
    }

    static Set<String> devicePluginNodes() {
        Set<String> nodes = new TreeSet<>();
        kube.devicePlugins(NS, "mod").forEach(ds -> nodes.addAll(kube.readyPodsByNode(NS, ds).keySet()));
        return nodes;
    }

    @Test
    void readyLabelsFollowTheLoadersAndTheDevicePluginFollowsTheLabels() throws Exception {
        Module m = TestModules.module(NS, "mod", Map.of("pool", POOL),
                TestModules.regexp("^6\\.1\\.[0-9]+-ready", "quay.io/vendor/ready-mod:${KERNEL_FULL_VERSION}"));
        m.getMetadata().setUid(null);
        m.getMetadata().setGeneration(null);
        m.getSpec().setModuleLoader(new ContainerBuilder().withName("loader").withImage("ignored").build());
        Modprobe modprobe = new Modprobe();
        modprobe.setModuleName("ready_mod");
        modprobe.setFirmwarePath("/firmware");
        m.getSpec().setModprobe(modprobe);
        m.getSpec().setDevicePlugin(new ContainerBuilder().withName("dp").withImage("quay.io/vendor/ready-dp:1")
                .build());
        cluster.kubectlWithInput(JSON.writeValueAsString(m), "apply", "-f", "-");

        // The generated loader, admitted by the real API server.
        DaemonSet loader = await().atMost(TIMEOUT).until(() -> kube.loaders(NS, "mod"), l -> l.size() == 1).get(0);
        Container c = loader.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getCommand().get(2)).contains("\"$kmm_modprobe\" '-v' '-d' '/opt' 'ready_mod'");
        assertThat(c.getLifecycle().getPreStop().getExec().getCommand().get(2))
                .contains("\"$kmm_modprobe\" '-r' '-v' '-d' '/opt' 'ready_mod'");
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).containsExactly("SYS_MODULE");

        // Ready labels on exactly the nodes with a Ready loader; the device plugin only there; the Module Ready.
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(labelled()).containsExactly(NODES[0], NODES[1]);
            assertThat(devicePluginNodes()).containsExactly(NODES[0], NODES[1]);
            assertThat(kube.conditionStatus(NS, "mod", Conditions.READY)).isEqualTo("True");
        });
        assertThat(kube.module(NS, "mod").getStatus().getWarnings()).as("modprobe unloads: no MissingPreStop")
                .isEmpty();

        // A loader pod deleted: the label goes while no loader is Ready there, and comes back with the new pod.
        Set<String> seen = ConcurrentHashMap.newKeySet();
        try (Watch watch = cluster.admin().nodes().withName(NODES[0]).watch(new Watcher<Node>() {
            @Override
            public void eventReceived(Action action, Node node) {
                seen.add(node.getMetadata().getLabels().containsKey(LABEL) ? "labelled" : "unlabelled");
            }

            @Override
            public void onClose(WatcherException cause) {
                // the test closes it
            }
        })) {
            Pod pod = cluster.admin().pods().inNamespace(NS).withLabels(loader.getSpec().getSelector()
                    .getMatchLabels()).list().getItems().stream()
                    .filter(p -> NODES[0].equals(p.getSpec().getNodeName())).findFirst().orElseThrow();
            cluster.admin().pods().inNamespace(NS).withName(pod.getMetadata().getName()).delete();
            await().atMost(TIMEOUT).untilAsserted(() -> {
                assertThat(seen).contains("unlabelled");
                assertThat(labelled()).contains(NODES[0]);
            });
        }

        // A kernel upgrade: the label goes with the old kernel (in the same write as the new kernel label: the
        // module the old pod loaded is not in the new kernel) and comes back with the new kernel's loader pod.
        List<Map<String, String>> states = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        String newKernelLabel = io.kmm.meta.LabelValues.normalise(NEW_KERNEL);
        try (Watch watch = cluster.admin().nodes().withName(NODES[1]).watch(new Watcher<Node>() {
            @Override
            public void eventReceived(Action action, Node node) {
                states.add(Map.copyOf(node.getMetadata().getLabels()));
            }

            @Override
            public void onClose(WatcherException cause) {
                // the test closes it
            }
        })) {
            cluster.setKernel(NODES[1], NEW_KERNEL);
            await().atMost(TIMEOUT).untilAsserted(() -> {
                assertThat(kube.loaders(NS, "mod")).hasSize(2);
                DaemonSet upgraded = kube.loaders(NS, "mod").stream().filter(ds -> NEW_KERNEL.equals(ds.getMetadata()
                        .getAnnotations().get(Labels.KERNEL_VERSION_ANNOTATION))).findFirst().orElseThrow();
                assertThat(kube.readyPodsByNode(NS, upgraded)).containsOnlyKeys(NODES[1]);
                assertThat(labelled()).containsExactly(NODES[0], NODES[1]);
                assertThat(devicePluginNodes()).containsExactly(NODES[0], NODES[1]);
            });
        }
        List<Map<String, String>> withNewKernel;
        synchronized (states) {
            withNewKernel = states.stream()
                    .filter(l -> newKernelLabel.equals(l.get(Labels.KERNEL_VERSION))).toList();
        }
        assertThat(withNewKernel).as("the node's labels from its new kernel label on").isNotEmpty();
        assertThat(withNewKernel.get(0)).as("the new kernel label's write").doesNotContainKey(LABEL);
        assertThat(withNewKernel.get(withNewKernel.size() - 1)).containsEntry(LABEL, Labels.READY_VALUE);

        // The Module deleted: every label goes (its DaemonSets and pods are collected).
        cluster.kubectlOk("delete", "module", "mod", "-n", NS);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(labelled()).isEmpty());

        // Pods: read with the loader selector only, never written.
        List<AuditLog.Entry> pods = AuditLog.of(cluster.auditLog(), Installation.USER, scenario.since).stream()
                .filter(e -> e.resource().startsWith("pods")).toList();
        assertThat(pods).isNotEmpty().allSatisfy(e -> {
            assertThat(e.isWrite()).as(e.toString()).isFalse();
            assertThat(java.net.URLDecoder.decode(e.uri(), java.nio.charset.StandardCharsets.UTF_8))
                    .as(e.toString()).contains("labelSelector=app.kubernetes.io/managed-by=kmm-operator");
        });
    }
}
