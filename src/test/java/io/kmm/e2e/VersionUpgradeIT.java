package io.kmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.kmm.TestModules;
import io.kmm.api.v1alpha1.Modprobe;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.VersionRollout;
import io.kmm.api.v1alpha1.VersionUpgrade;
import io.kmm.meta.Labels;

/**
 * Versioned Modules on the real control plane with kwok nodes: the ordered upgrade of one node (device-plugin pod gone
 * before the old loader stops, the new loader created only after the old one is gone, the device plugin back after
 * the new loader is Ready), the nodes pinned to the old version untouched; then a staged rollout over 20 nodes whose
 * new loader never becomes Ready (its pod cannot be scheduled: it asks for a resource no node has): the canary batch
 * only, paused (status, Warning event, metric), the old version Ready everywhere else; fixed, it resumes to the end.
 */
class VersionUpgradeIT {

    static {
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    private static final String NS = "e2e-version";
    private static final String KERNEL = "6.1.0-ver.x86_64";
    private static final String NEW_KERNEL = "6.1.7-ver.x86_64";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] ORDERED = { "ver-1", "ver-2", "ver-3" };
    private static final List<String> STAGED = new ArrayList<>();

    private static Scenario scenario;
    private static LocalCluster cluster;
    private static Kube kube;

    @BeforeAll
    static void start() throws Exception {
        scenario = Scenario.begin(VersionUpgradeIT.class, NS);
        cluster = scenario.cluster;
        kube = scenario.kube;
        for (String n : ORDERED) {
            cluster.addNode(n, KERNEL, Map.of("pool", "ordered"));
        }
        for (int i = 1; i <= 20; i++) {
            String n = String.format("stage-%02d", i);
            STAGED.add(n);
            cluster.addNode(n, KERNEL, Map.of("pool", "staged"));
        }
        scenario.startOperator(Installation.QUICK_LEASE);
    }

    @AfterAll
    static void finish() throws Exception {
        List<String> nodes = new ArrayList<>(List.of(ORDERED));
        nodes.addAll(STAGED);
        List<String> used = scenario.finish(nodes.toArray(String[]::new));
        System.out.println("[VersionUpgradeIT] the operator used: " + used);
    }

    static Module module(String name, String pool, String version) {
        Module m = TestModules.module(NS, name, Map.of("pool", pool),
                TestModules.regexp("^6\\.1\\.", "quay.io/vendor/" + name + ":" + version + "-${KERNEL_FULL_VERSION}"));
        m.getMetadata().setUid(null);
        m.getMetadata().setGeneration(null);
        m.getSpec().setModuleLoader(new ContainerBuilder().withName("loader").withImage("ignored").build());
        Modprobe modprobe = new Modprobe();
        modprobe.setModuleName(name);
        m.getSpec().setModprobe(modprobe);
        m.getSpec().setDevicePlugin(new ContainerBuilder().withName("dp")
                .withImage("quay.io/vendor/" + name + "-dp:" + version).build());
        m.getSpec().setVersion(version);
        return m;
    }

    static void apply(Module m) throws Exception {
        cluster.kubectlWithInput(JSON.writeValueAsString(m), "apply", "--server-side", "--force-conflicts", "-f",
                "-");
    }

    static String label(String node, String key) {
        return cluster.admin().nodes().withName(node).get().getMetadata().getLabels().get(key);
    }

    static Map<String, String> versionReady(String module, List<String> nodes) {
        Map<String, String> out = new TreeMap<>();
        String key = Labels.moduleKey(NS, module, Labels.VERSION_READY_SUFFIX);
        nodes.forEach(n -> out.put(n, String.valueOf(label(n, key))));
        return out;
    }

    static VersionRollout upgrade(String module) {
        return kube.module(NS, module).getStatus().getUpgrade();
    }

    /** The Module's pods on a node (name to uid). */
    static Map<String, String> pods(String node) {
        Map<String, String> out = new TreeMap<>();
        cluster.admin().pods().inNamespace(NS).list().getItems().stream()
                .filter(p -> node.equals(p.getSpec().getNodeName()))
                .forEach(p -> out.put(p.getMetadata().getName(), p.getMetadata().getUid()));
        return out;
    }

    @Test
    void aNodeMovesInOrderAndPinnedNodesStay() throws Exception {
        apply(module("nic", "ordered", "1.0"));
        List<String> all = List.of(ORDERED);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(versionReady("nic", all)).containsOnly(Map.entry("ver-1", "1.0"), Map.entry("ver-2", "1.0"),
                    Map.entry("ver-3", "1.0"));
            assertThat(kube.readyPodsByNode(NS, kube.devicePlugins(NS, "nic").get(0))).hasSize(3);
            assertThat(upgrade("nic").getPhase()).isEqualTo(VersionRollout.COMPLETE);
        });
        // the user pins two nodes to 1.0, then moves the Module to 2.0
        String target = Labels.moduleKey(NS, "nic", Labels.VERSION_SUFFIX);
        cluster.kubectlOk("label", "node", "ver-2", "ver-3", target + "=1.0");
        Map<String, String> ver2Pods = pods("ver-2");
        Map<String, String> pinnedPods = pods("ver-2");
        pinnedPods.putAll(pods("ver-3"));

        List<String> sequence = Collections.synchronizedList(new ArrayList<>());
        try (Watch watch = cluster.admin().pods().inNamespace(NS).watch(new Watcher<Pod>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                if ("nic".equals(pod.getMetadata().getLabels().get(Labels.MODULE_NAME))
                        && ("ver-1".equals(pod.getSpec().getNodeName()) || (action == Action.ADDED
                                && pod.getSpec().getNodeName() == null))) {
                    String what = pod.getMetadata().getLabels().get(Labels.ROLE) + " "
                            + pod.getMetadata().getLabels().get(Labels.MODULE_VERSION);
                    if (action == Action.DELETED) {
                        sequence.add("gone " + what);
                    } else if (action == Action.ADDED || Kube.ready(pod)) {
                        sequence.add((Kube.ready(pod) ? "ready " : "added ") + what);
                    }
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                // the test closes it
            }
        })) {
            apply(module("nic", "ordered", "2.0"));
            await().atMost(TIMEOUT).untilAsserted(() -> {
                assertThat(versionReady("nic", all)).containsOnly(Map.entry("ver-1", "2.0"),
                        Map.entry("ver-2", "1.0"), Map.entry("ver-3", "1.0"));
                assertThat(sequence).contains("ready device-plugin 2.0");
            });
        }
        List<String> seq = List.copyOf(sequence);
        assertThat(seq).contains("gone device-plugin 1.0", "gone module-loader 1.0", "added module-loader 2.0",
                "ready module-loader 2.0", "added device-plugin 2.0");
        assertThat(seq.indexOf("gone device-plugin 1.0")).as(seq.toString()).isGreaterThanOrEqualTo(0)
                .isLessThan(seq.indexOf("gone module-loader 1.0"));
        assertThat(seq.indexOf("gone module-loader 1.0")).as(seq.toString())
                .isLessThan(seq.indexOf("added module-loader 2.0"));
        assertThat(seq.indexOf("ready module-loader 2.0")).as(seq.toString())
                .isLessThan(seq.indexOf("added device-plugin 2.0"));
        Map<String, String> after = pods("ver-2");
        after.putAll(pods("ver-3"));
        assertThat(after).as("pinned nodes untouched").isEqualTo(pinnedPods);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(upgrade("nic").getPhase()).isEqualTo(VersionRollout.WAITING);
            assertThat(upgrade("nic").getNodesReady()).isEqualTo(1);
            assertThat(upgrade("nic").getMessage()).contains("2 stay on the version their label");
        });
        assertThat(kube.loaders(NS, "nic")).as("one loader per version").hasSize(2);

        // a kernel upgrade mid-rollout: ver-3 (pinned to 1.0) reboots into a kernel 1.0 never had a loader for; there
        // is nothing of 1.0 to keep running there, so it loads spec.version on the new kernel's DaemonSet
        cluster.setKernel("ver-3", NEW_KERNEL);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(versionReady("nic", all)).containsOnly(Map.entry("ver-1", "2.0"), Map.entry("ver-2", "1.0"),
                    Map.entry("ver-3", "2.0"));
            assertThat(kube.loaders(NS, "nic")).as("1.0 and 2.0 on the old kernel, 2.0 on the new").hasSize(3);
        });
        assertThat(label("ver-3", target)).as("the user's label is never written").isEqualTo("1.0");
        assertThat(pods("ver-2")).as("the other pinned node untouched").isEqualTo(ver2Pods);

        // the user moves the others: by the label, or by taking the pin off
        cluster.kubectlOk("label", "node", "ver-2", "--overwrite", target + "=2.0");
        cluster.kubectlOk("label", "node", "ver-3", target + "-");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(versionReady("nic", all)).containsOnly(Map.entry("ver-1", "2.0"), Map.entry("ver-2", "2.0"),
                    Map.entry("ver-3", "2.0"));
            assertThat(kube.loaders(NS, "nic")).as("1.0's loader goes with its last node: 2.0 on both kernels")
                    .hasSize(2);
            assertThat(kube.devicePlugins(NS, "nic")).hasSize(1);
            assertThat(kube.readyPodsByNode(NS, kube.devicePlugins(NS, "nic").get(0))).hasSize(3);
            assertThat(upgrade("nic").getPhase()).isEqualTo(VersionRollout.COMPLETE);
        });
    }

    @Test
    void aStagedRolloutPausesOnABatchThatIsNotReadyAndResumesOnceFixed() throws Exception {
        Module m = module("gpu", "staged", "1.0");
        apply(m);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(versionReady("gpu", STAGED).values()).containsOnly("1.0");
            assertThat(upgrade("gpu").getPhase()).isEqualTo(VersionRollout.COMPLETE);
        });

        Module next = module("gpu", "staged", "2.0");
        VersionUpgrade staged = new VersionUpgrade();
        staged.setStrategy(VersionUpgrade.STAGED);
        staged.setCanaryNodes(1);
        staged.setBatchSize(5);
        staged.setBatchTimeout("20s");
        next.getSpec().setUpgrade(staged);
        // 2.0's loader never becomes Ready: no node has the resource it asks for
        next.getSpec().setModuleLoader(new ContainerBuilder().withName("loader").withImage("ignored")
                .withNewResources().addToLimits("example.com/never", new Quantity("1")).endResources().build());
        apply(next);

        await().atMost(TIMEOUT).untilAsserted(() -> {
            VersionRollout u = upgrade("gpu");
            assertThat(u.getPhase()).isEqualTo(VersionRollout.PAUSED);
            assertThat(u.getBatch()).isEqualTo(1);
            assertThat(u.getWaitingFor()).hasSize(1);
            assertThat(u.getMessage()).contains("batch 1").contains(u.getWaitingFor().get(0));
        });
        String canary = upgrade("gpu").getWaitingFor().get(0);
        Map<String, String> ready = versionReady("gpu", STAGED);
        assertThat(ready.get(canary)).isEqualTo("null");
        ready.remove(canary);
        assertThat(ready.values()).as("the old version keeps running everywhere else").hasSize(19)
                .containsOnly("1.0");
        String target = Labels.moduleKey(NS, "gpu", Labels.VERSION_SUFFIX);
        assertThat(STAGED.stream().filter(n -> "2.0".equals(label(n, target)))).containsExactly(canary);
        assertThat(cluster.kubectlOk("get", "events", "-n", NS, "--field-selector",
                "reason=VersionRolloutPaused", "-o", "name")).isNotBlank();
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(scenario.operator().baseUrl() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("kmm_module_version_rollout_paused{module=\"gpu\",namespace=\"" + NS
                + "\"} 1.0");

        // fixed: the loader no longer asks for the resource; the canary becomes Ready, the batches follow
        next.getSpec().setModuleLoader(new ContainerBuilder().withName("loader").withImage("ignored").build());
        apply(next);
        await().atMost(Duration.ofMinutes(4)).untilAsserted(() -> {
            assertThat(versionReady("gpu", STAGED).values()).containsOnly("2.0");
            VersionRollout u = upgrade("gpu");
            assertThat(u.getPhase()).isEqualTo(VersionRollout.COMPLETE);
            assertThat(u.getBatch()).isEqualTo(5); // canary, then 5 + 5 + 5 + 4
            assertThat(u.getNodesReady()).isEqualTo(20);
        });
        assertThat(kube.loaders(NS, "gpu")).as("1.0's loader is gone").hasSize(1);
    }
}
