package io.kmm.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.ModuleStatus;
import io.kmm.meta.Labels;
import io.kmm.status.Conditions;

class ModuleStatusAggregatorTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant T1 = Instant.parse("2026-01-01T01:00:00Z");

    static Map<String, DaemonSet> byName(ModulePlan plan) {
        Map<String, DaemonSet> map = new HashMap<>();
        plan.create().forEach(ds -> map.put(ds.getMetadata().getName(), ds));
        return map;
    }

    static void available(DaemonSet ds, int n) {
        ds.getMetadata().setGeneration(1L);
        ds.setStatus(new DaemonSetStatusBuilder().withObservedGeneration(1L).withDesiredNumberScheduled(n)
                .withNumberAvailable(n).withUpdatedNumberScheduled(n).build());
    }

    static String condition(ModuleStatus s, String type) {
        return Conditions.find(s.getConditions(), type).map(Condition::getStatus).orElse(null);
    }

    @Test
    void progressingThenReadyWithPerKernelDetail() {
        Module m = ModulePlanTest.sample();
        SelectedNodes nodes = ModulePlanTest.nodes("5.16.11-200.fc35.x86_64", "5.16.11-200.fc35.x86_64",
                "5.4.0-1054-gke", "7.0.0-unknown");
        ModulePlan plan = ModulePlan.compute(m, nodes, List.of(), Labels.KERNEL_VERSION);
        Map<String, DaemonSet> ds = byName(plan);

        ModuleStatus rolling = ModuleStatusAggregator.aggregate(m, plan, new ModuleActions.Executed(ds, Map.of()), T0);
        assertThat(condition(rolling, Conditions.READY)).isEqualTo("False");
        assertThat(condition(rolling, Conditions.PROGRESSING)).isEqualTo("True");
        assertThat(condition(rolling, Conditions.DEGRADED)).isEqualTo("False");
        assertThat(rolling.getSelectedNodes()).isEqualTo(4);
        assertThat(rolling.getTargetedNodes()).isEqualTo(3);
        assertThat(rolling.getAvailableNodes()).isZero();
        assertThat(rolling.getUnmatchedKernels()).singleElement().satisfies(u -> {
            assertThat(u.getKernel()).isEqualTo("7.0.0-unknown");
            assertThat(u.getNodes()).isEqualTo(1);
        });
        assertThat(rolling.getKernels()).extracting(k -> k.getKernel() + "|" + k.getImage() + "|" + k.getNodes())
                .containsExactly("5.16.11-200.fc35.x86_64|img:fedora|2", "5.4.0-1054-gke|img:5.4.0-1054-gke|1");
        assertThat(rolling.getWarnings()).isEmpty();

        ds.values().forEach(d -> available(d,
                nodes.on(d.getMetadata().getAnnotations().get(Labels.KERNEL_VERSION_ANNOTATION))));
        m.setStatus(rolling);
        ModuleStatus ready = ModuleStatusAggregator.aggregate(m, plan, new ModuleActions.Executed(ds, Map.of()), T1);
        assertThat(condition(ready, Conditions.READY)).isEqualTo("True");
        assertThat(condition(ready, Conditions.PROGRESSING)).isEqualTo("False");
        assertThat(ready.getAvailableNodes()).isEqualTo(3);
        Condition readyCondition = Conditions.find(ready.getConditions(), Conditions.READY).orElseThrow();
        assertThat(readyCondition.getLastTransitionTime()).isEqualTo("2026-01-01T01:00:00Z");
        assertThat(readyCondition.getMessage()).contains("3 of 3").contains("7.0.0-unknown");
        // Degraded stayed False: its transition time did not move.
        assertThat(Conditions.find(ready.getConditions(), Conditions.DEGRADED).orElseThrow().getLastTransitionTime())
                .isEqualTo("2026-01-01T00:00:00Z");

        m.setStatus(ready);
        ModuleStatus same = ModuleStatusAggregator.aggregate(m, plan, new ModuleActions.Executed(ds, Map.of()), T1.plusSeconds(60));
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(mapper.valueToTree(same).toString()).isEqualTo(mapper.valueToTree(ready).toString());
    }

    @Test
    void invalidRegexpIsDegradedWithIndexAndErrorEvenWithoutNodes() {
        Module m = ModulePlanTest.sample();
        m.getSpec().getKernelMappings().get(1).setRegexp("gke($");
        ModulePlan plan = ModulePlan.compute(m, ModulePlanTest.nodes(), List.of(), Labels.KERNEL_VERSION);
        ModuleStatus s = ModuleStatusAggregator.aggregate(m, plan, new ModuleActions.Executed(Map.of(), Map.of()), T0);
        Condition degraded = Conditions.find(s.getConditions(), Conditions.DEGRADED).orElseThrow();
        assertThat(degraded.getStatus()).isEqualTo("True");
        assertThat(degraded.getReason()).isEqualTo("InvalidKernelMapping");
        assertThat(degraded.getMessage()).startsWith("spec.kernelMappings[1].regexp: invalid regular expression");
        assertThat(condition(s, Conditions.READY)).isEqualTo("False");
    }

    @Test
    void invalidMappingReportedOnceWithItsKernels() {
        Module m = ModulePlanTest.sample();
        m.getSpec().getKernelMappings().get(1).setRegexp("gke($");
        ModulePlan plan = ModulePlan.compute(m, ModulePlanTest.nodes("5.4.0-1054-gke"), List.of(),
                Labels.KERNEL_VERSION);
        ModuleStatus s = ModuleStatusAggregator.aggregate(m, plan, new ModuleActions.Executed(Map.of(), Map.of()), T0);
        String message = Conditions.find(s.getConditions(), Conditions.DEGRADED).orElseThrow().getMessage();
        assertThat(message).contains("(kernels: 5.4.0-1054-gke)");
        assertThat(message.split("invalid regular expression", -1)).hasSize(2);
        assertThat(s.getKernels()).singleElement().satisfies(k -> assertThat(k.getError()).contains("regexp"));
    }

    @Test
    void missingPreStopIsAWarning() {
        Module m = ModulePlanTest.sample();
        m.getSpec().getModuleLoader().setLifecycle(null);
        ModulePlan plan = ModulePlan.compute(m, ModulePlanTest.nodes("5.4.0-1054-gke"), List.of(),
                Labels.KERNEL_VERSION);
        ModuleStatus s = ModuleStatusAggregator.aggregate(m, plan, new ModuleActions.Executed(Map.of(), Map.of()), T0);
        assertThat(s.getWarnings()).containsExactly(io.kmm.status.Warning.MISSING_PRE_STOP.message());
        assertThat(condition(s, Conditions.DEGRADED)).isEqualTo("False");
    }

    @Test
    void rejectedDaemonSetIsDegraded() {
        Module m = ModulePlanTest.sample();
        ModulePlan plan = ModulePlan.compute(m, ModulePlanTest.nodes("5.4.0-1054-gke"), List.of(),
                Labels.KERNEL_VERSION);
        String name = plan.create().get(0).getMetadata().getName();
        ModuleStatus s = ModuleStatusAggregator.aggregate(m, plan, new ModuleActions.Executed(Map.of(), Map.of(name, "spec.volumes: bad")), T0);
        Condition degraded = Conditions.find(s.getConditions(), Conditions.DEGRADED).orElseThrow();
        assertThat(degraded.getReason()).isEqualTo("DaemonSetRejected");
        assertThat(degraded.getMessage()).contains(name).contains("spec.volumes: bad");
    }

    @Test
    void aStatusWithThousandsOfKernelsStillFits() {
        io.kmm.api.v1alpha1.ModuleStatus status = new io.kmm.api.v1alpha1.ModuleStatus();
        for (int i = 0; i < 3000; i++) {
            io.kmm.api.v1alpha1.KernelStatus k = new io.kmm.api.v1alpha1.KernelStatus();
            k.setKernel("6.1." + i);
            if (i % 1000 == 999) {
                k.setError("x".repeat(5000));
            }
            status.getKernels().add(k);
            status.getUnmatchedKernels().add(new io.kmm.api.v1alpha1.UnmatchedKernel("5.0." + i, 1));
        }
        java.util.Set<String> errors = new java.util.LinkedHashSet<>();
        for (int i = 0; i < 500; i++) {
            errors.add("kernel 6.1." + i + ": " + "y".repeat(300));
        }
        ModuleStatusAggregator.bound(status, errors);
        assertThat(status.getKernels()).hasSize(ModuleStatusAggregator.MAX_LISTED_KERNELS);
        assertThat(status.getKernels().subList(0, 3)).allSatisfy(k -> assertThat(k.getError()).hasSize(1024));
        assertThat(status.getUnmatchedKernels()).hasSize(ModuleStatusAggregator.MAX_LISTED_KERNELS);
        assertThat(status.getKernelsNotListed()).isEqualTo(5800);
        assertThat(String.join("; ", errors)).hasSizeLessThanOrEqualTo(ModuleStatusAggregator.MAX_MESSAGE)
                .endsWith("more");
        assertThat(io.fabric8.kubernetes.client.utils.Serialization.asJson(status).length()).isLessThan(100_000);
    }

    @Test
    void nothingTargetedIsSaidPlainlyWithWhy() {
        Module m = ModulePlanTest.sample(); // selector feature...VMX=true; mappings for fc35 and gke kernels
        // no node has the selector's labels
        ModuleStatus none = ModuleStatusAggregator.aggregate(m, ModulePlan.compute(m, ModulePlanTest.nodes(),
                List.of(), Labels.KERNEL_VERSION), new ModuleActions.Executed(Map.of(), Map.of()), T0);
        Condition ready = Conditions.find(none.getConditions(), Conditions.READY).orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("True");
        assertThat(ready.getReason()).isEqualTo("NoTargetedNodes");
        assertThat(ready.getMessage()).startsWith("No node is targeted: no node has the labels of spec.selector")
                .contains("loaded nowhere");
        assertThat(none.getWarnings()).singleElement().asString().startsWith("no node is targeted: no node has");
        assertThat(condition(none, Conditions.DEGRADED)).isEqualTo("False");

        // selected nodes, but no mapping for their kernels
        ModuleStatus unmatched = ModuleStatusAggregator.aggregate(m, ModulePlan.compute(m,
                ModulePlanTest.nodes("6.1.0-13-amd64", "6.1.0-13-amd64", "4.18.0-80.el8"), List.of(),
                Labels.KERNEL_VERSION), new ModuleActions.Executed(Map.of(), Map.of()), T0);
        ready = Conditions.find(unmatched.getConditions(), Conditions.READY).orElseThrow();
        assertThat(ready.getReason()).isEqualTo("NoTargetedNodes");
        assertThat(ready.getMessage()).isEqualTo("No node is targeted: no kernel mapping matches the kernel of the "
                + "3 selected node(s) (4.18.0-80.el8, 6.1.0-13-amd64); the module is loaded nowhere until a node "
                + "matches");

        // one targeted node: no such warning
        ModuleStatus targeted = ModuleStatusAggregator.aggregate(m, ModulePlan.compute(m,
                ModulePlanTest.nodes("5.4.0-1054-gke"), List.of(), Labels.KERNEL_VERSION),
                new ModuleActions.Executed(Map.of(), Map.of()), T0);
        assertThat(targeted.getWarnings()).isEmpty();
        assertThat(Conditions.find(targeted.getConditions(), Conditions.READY).orElseThrow().getReason())
                .isNotEqualTo("NoTargetedNodes");
    }

    @Test
    void aMissingPullSecretIsOneWarningWhateverTheKernels() {
        Module m = ModulePlanTest.sample();
        m.getSpec().setImageRepoSecret(new io.fabric8.kubernetes.api.model.LocalObjectReference("pull"));
        SelectedNodes nodes = ModulePlanTest.nodes("5.4.0-1054-gke", "5.16.11-200.fc35.x86_64");
        ModulePlan plan = ModulePlanner.plan(new Observed(m, nodes, Map.of(), List.of(), true),
                ModulePlanner.resolve(m, nodes), Map.of(), new ModulePlanner.Settings(Labels.KERNEL_VERSION, "Job",
                        java.time.Duration.ofMinutes(10), java.time.Instant.EPOCH));
        ModuleStatus s = ModuleStatusAggregator.aggregate(m, plan, new ModuleActions.Executed(Map.of(), Map.of()), T0);
        assertThat(s.getWarnings()).singleElement().asString().startsWith("spec.imageRepoSecret: Secret "
                + m.getMetadata().getNamespace() + "/pull does not exist, so nodes pull the module images without "
                + "credentials");
        assertThat(plan.warnings()).extracting(io.kmm.status.Warning::reason)
                .containsExactly(io.kmm.status.Reason.IMAGE_REPO_SECRET_MISSING);
        assertThat(condition(s, Conditions.DEGRADED)).isEqualTo("False");
    }
}
