package io.kmm.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.ModuleSpec;
import io.kmm.api.v1alpha1.VersionRollout;
import io.kmm.api.v1alpha1.VersionUpgrade;
import io.kmm.meta.Labels;
import io.kmm.status.Reason;

/** The staged rollout's state machine: canary, batches, pause on timeout, resume, reverse; and which old DaemonSets stay. */
class VersionRolloutsTest {

    static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

    static Module module(String version, boolean staged) {
        Module m = new Module();
        m.setMetadata(new ObjectMetaBuilder().withName("nic").withNamespace("drivers").build());
        ModuleSpec spec = new ModuleSpec();
        spec.setVersion(version);
        if (staged) {
            VersionUpgrade u = new VersionUpgrade();
            u.setStrategy(VersionUpgrade.STAGED);
            u.setCanaryNodes(1);
            u.setBatchSize(5);
            u.setBatchTimeout("5m");
            spec.setUpgrade(u);
        }
        m.setSpec(spec);
        return m;
    }

    /** n nodes running version 1.0 Ready, unlabelled (as after a first install). */
    static List<VersionRollouts.NodeView> fleet(int n) {
        List<VersionRollouts.NodeView> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nodes.add(new VersionRollouts.NodeView(String.format("node-%02d", i), "k1", null, "1.0", "1.0", "1.0"));
        }
        return nodes;
    }

    /** The nodes after a batch: labelled, and (if ready) running the version Ready. */
    static List<VersionRollouts.NodeView> apply(List<VersionRollouts.NodeView> nodes, Map<String, String> label,
            boolean ready) {
        return nodes.stream().map(n -> label.containsKey(n.name())
                ? new VersionRollouts.NodeView(n.name(), n.kernelLabel(), label.get(n.name()),
                        ready ? label.get(n.name()) : null, null, ready ? label.get(n.name()) : null)
                : n).toList();
    }

    @Test
    void canaryThenBatchesThenComplete() {
        Module m = module("2.0", true);
        List<VersionRollouts.NodeView> nodes = fleet(12);
        VersionRollouts.Plan p = VersionRollouts.plan(m, nodes, null, T0);
        assertThat(p.label()).containsOnlyKeys("node-00");
        assertThat(p.status().getBatch()).isEqualTo(1);
        assertThat(p.status().getPhase()).isEqualTo(VersionRollout.ROLLING);
        assertThat(p.event().reason()).isEqualTo(Reason.VERSION_BATCH_STARTED);

        // the canary is moving: no new batch
        nodes = apply(nodes, p.label(), false);
        VersionRollouts.Plan waiting = VersionRollouts.plan(m, nodes, p.status(), T0.plusSeconds(30));
        assertThat(waiting.label()).isEmpty();
        assertThat(waiting.status().getWaitingFor()).containsExactly("node-00");
        assertThat(waiting.requeueAfter()).isEqualTo(Duration.ofSeconds(271));

        // Ready: batch 2 of five
        nodes = apply(nodes, p.label(), true);
        VersionRollouts.Plan second = VersionRollouts.plan(m, nodes, waiting.status(), T0.plusSeconds(60));
        assertThat(second.label()).containsOnlyKeys("node-01", "node-02", "node-03", "node-04", "node-05");
        assertThat(second.status().getBatch()).isEqualTo(2);
        nodes = apply(nodes, second.label(), true);
        VersionRollouts.Plan third = VersionRollouts.plan(m, nodes, second.status(), T0.plusSeconds(90));
        assertThat(third.label()).hasSize(5);
        nodes = apply(nodes, third.label(), true);
        VersionRollouts.Plan fourth = VersionRollouts.plan(m, nodes, third.status(), T0.plusSeconds(120));
        assertThat(fourth.label()).containsOnlyKeys("node-11");
        nodes = apply(nodes, fourth.label(), true);
        VersionRollouts.Plan done = VersionRollouts.plan(m, nodes, fourth.status(), T0.plusSeconds(150));
        assertThat(done.status().getPhase()).isEqualTo(VersionRollout.COMPLETE);
        assertThat(done.status().getNodesReady()).isEqualTo(12);
        assertThat(done.event().reason()).isEqualTo(Reason.VERSION_ROLLOUT_COMPLETE);
        assertThat(VersionRollouts.plan(m, nodes, done.status(), T0.plusSeconds(200)).event())
                .as("said once").isNull();
    }

    @Test
    void aBatchThatIsNotReadyInTimePausesAndResumesOnceReady() {
        Module m = module("2.0", true);
        List<VersionRollouts.NodeView> nodes = fleet(20);
        VersionRollouts.Plan canary = VersionRollouts.plan(m, nodes, null, T0);
        nodes = apply(nodes, canary.label(), false);
        VersionRollouts.Plan paused = VersionRollouts.plan(m, nodes, canary.status(), T0.plus(Duration.ofMinutes(5)));
        assertThat(paused.status().getPhase()).isEqualTo(VersionRollout.PAUSED);
        assertThat(paused.status().getMessage()).contains("node-00").contains("batch 1").contains("5m");
        assertThat(paused.label()).isEmpty();
        assertThat(paused.event().reason()).isEqualTo(Reason.VERSION_ROLLOUT_PAUSED);
        assertThat(paused.event().warning()).isTrue();
        VersionRollouts.Plan still = VersionRollouts.plan(m, nodes, paused.status(), T0.plus(Duration.ofMinutes(9)));
        assertThat(still.status().getPhase()).isEqualTo(VersionRollout.PAUSED);
        assertThat(still.event()).as("the pause is announced once").isNull();
        assertThat(still.status().getNodesReady()).isZero();

        // fixed: the canary becomes Ready, the next batch starts
        nodes = apply(nodes, canary.label(), true);
        VersionRollouts.Plan resumed = VersionRollouts.plan(m, nodes, still.status(), T0.plus(Duration.ofMinutes(10)));
        assertThat(resumed.status().getPhase()).isEqualTo(VersionRollout.ROLLING);
        assertThat(resumed.label()).hasSize(5);
        assertThat(resumed.status().getBatch()).isEqualTo(2);
    }

    @Test
    void settingTheVersionBackReversesTheMovedNodesBatchByBatch() {
        Module m = module("2.0", true);
        List<VersionRollouts.NodeView> nodes = fleet(6);
        VersionRollouts.Plan canary = VersionRollouts.plan(m, nodes, null, T0);
        nodes = apply(nodes, canary.label(), false);
        VersionRollouts.Plan back = VersionRollouts.plan(module("1.0", true), nodes, canary.status(),
                T0.plusSeconds(10));
        assertThat(back.label()).containsExactlyEntriesOf(Map.of("node-00", "1.0"));
        assertThat(back.status().getVersion()).isEqualTo("1.0");
        assertThat(back.status().getBatch()).isEqualTo(1);
    }

    @Test
    void manualModeReportsPinnedNodesAndLabelsNothing() {
        List<VersionRollouts.NodeView> nodes = new ArrayList<>(fleet(3));
        nodes.set(0, new VersionRollouts.NodeView("node-00", "k1", "1.0", "1.0", "1.0", "1.0"));
        nodes.set(1, new VersionRollouts.NodeView("node-01", "k1", null, "2.0", "2.0", "2.0"));
        nodes.set(2, new VersionRollouts.NodeView("node-02", "k1", null, "2.0", "2.0", "2.0"));
        VersionRollouts.Plan p = VersionRollouts.plan(module("2.0", false), nodes, null, T0);
        assertThat(p.label()).isEmpty();
        assertThat(p.status().getPhase()).isEqualTo(VersionRollout.WAITING);
        assertThat(p.status().getNodesReady()).isEqualTo(2);
        assertThat(p.status().getMessage()).contains("ooto.sigs.k8s.io/drivers.nic.version");
    }

    @Test
    void oldVersionsStayWhileANodeRunsOrIsPinnedToThem() {
        DaemonSet loader = ds(Labels.ROLE_MODULE_LOADER, "1.0", "k1");
        DaemonSet plugin = ds(Labels.ROLE_DEVICE_PLUGIN, "1.0", null);
        var running = new VersionRollouts.NodeView("a", "k1", null, "1.0", "1.0", "1.0");
        var otherKernel = new VersionRollouts.NodeView("b", "k2", null, "1.0", null, null);
        var pinned = new VersionRollouts.NodeView("c", "k1", "1.0", null, null, null);
        var moved = new VersionRollouts.NodeView("d", "k1", null, "2.0", "2.0", "2.0");
        assertThat(VersionRollouts.keep(loader, List.of(running))).isTrue();
        assertThat(VersionRollouts.keep(loader, List.of(otherKernel, moved))).isFalse();
        assertThat(VersionRollouts.keep(loader, List.of(pinned))).isTrue();
        assertThat(VersionRollouts.keep(plugin, List.of(running))).isTrue();
        assertThat(VersionRollouts.keep(plugin, List.of(pinned, moved))).isFalse();
        assertThat(VersionRollouts.keep(ds(Labels.ROLE_MODULE_LOADER, null, "k1"), List.of(running)))
                .as("an unversioned DaemonSet").isFalse();
    }

    static DaemonSet ds(String role, String version, String kernel) {
        Map<String, String> labels = new java.util.HashMap<>(Map.of(Labels.ROLE, role));
        if (version != null) {
            labels.put(Labels.MODULE_VERSION, version);
        }
        if (kernel != null) {
            labels.put(Labels.KERNEL_VERSION, kernel);
        }
        return new DaemonSetBuilder().withNewMetadata().withName("x").withLabels(labels).endMetadata().build();
    }
}
