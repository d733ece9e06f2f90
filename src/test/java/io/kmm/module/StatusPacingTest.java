package io.kmm.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.kmm.api.v1alpha1.BuildStatus;
import io.kmm.api.v1alpha1.KernelStatus;
import io.kmm.api.v1alpha1.ModuleStatus;
import io.kmm.api.v1alpha1.UnmatchedKernel;
import io.kmm.status.Conditions;

class StatusPacingTest {

    static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    static final Duration INTERVAL = Duration.ofSeconds(10);

    /** A Module rolling out: n of 1,000 nodes available. */
    static ModuleStatus rollingOut(int available, boolean ready, String degradedReason) {
        ModuleStatus s = new ModuleStatus();
        s.setObservedGeneration(1L);
        s.setSelectedNodes(1000);
        s.setTargetedNodes(1000);
        s.setAvailableNodes(available);
        List<Condition> c = new ArrayList<>();
        c.add(Conditions.of(Conditions.READY, ready, ready ? "Available" : "RollingOut", available
                + " of 1000 targeted nodes run an available module loader", 1L, List.of(), NOW));
        c.add(Conditions.of(Conditions.PROGRESSING, !ready, ready ? "Done" : "RollingOut", available + " of 1000",
                1L, List.of(), NOW));
        c.add(Conditions.of(Conditions.DEGRADED, degradedReason != null, degradedReason == null ? "None"
                : degradedReason, degradedReason == null ? "" : "it failed", 1L, List.of(), NOW));
        s.setConditions(c);
        KernelStatus k = new KernelStatus();
        k.setKernel("6.1.0-bench");
        k.setDaemonSet("mod-6-1-0-bench");
        k.setDesired(1000);
        k.setAvailable(available);
        k.setPhase("Loading");
        s.setKernels(new ArrayList<>(List.of(k)));
        return s;
    }

    @Test
    void progressWaitsForTheIntervalSinceTheLastWrite() {
        Duration wait = StatusPacing.deferral(rollingOut(10, false, null), rollingOut(250, false, null),
                NOW.minusSeconds(3), NOW, INTERVAL);
        assertThat(wait).isEqualTo(Duration.ofSeconds(7));
        assertThat(StatusPacing.deferral(rollingOut(10, false, null), rollingOut(250, false, null),
                NOW.minusSeconds(10), NOW, INTERVAL)).as("due").isNull();
    }

    @Test
    void whatAUserActsOnIsWrittenAtOnce() {
        Instant justNow = NOW.minusSeconds(1);
        assertThat(StatusPacing.deferral(rollingOut(999, false, null), rollingOut(1000, true, null), justNow, NOW,
                INTERVAL)).as("Ready").isNull();
        assertThat(StatusPacing.deferral(rollingOut(10, false, null), rollingOut(10, false, "BuildFailed"), justNow,
                NOW, INTERVAL)).as("Degraded").isNull();
        ModuleStatus building = rollingOut(10, false, null);
        BuildStatus b = new BuildStatus();
        b.setPhase("Running");
        building.getKernels().get(0).setBuild(b);
        assertThat(StatusPacing.deferral(rollingOut(10, false, null), building, justNow, NOW, INTERVAL))
                .as("a build").isNull();
        ModuleStatus newKernel = rollingOut(10, false, null);
        KernelStatus k = new KernelStatus();
        k.setKernel("6.2.0-bench");
        k.setNodes(1);
        newKernel.getKernels().add(k);
        assertThat(StatusPacing.deferral(rollingOut(10, false, null), newKernel, justNow, NOW, INTERVAL))
                .as("a kernel appears").isNull();
        assertThat(StatusPacing.deferral(newKernel, rollingOut(10, false, null), justNow, NOW, INTERVAL))
                .as("a kernel goes").isNull();
        ModuleStatus unmatched = rollingOut(10, false, null);
        unmatched.getUnmatchedKernels().add(unmatched("5.0.0-old", 3));
        assertThat(StatusPacing.deferral(rollingOut(10, false, null), unmatched, justNow, NOW, INTERVAL))
                .as("an unmatched kernel appears").isNull();
        ModuleStatus warned = rollingOut(10, false, null);
        warned.getWarnings().add("ImageRepoSecretMissing: ...");
        assertThat(StatusPacing.deferral(rollingOut(10, false, null), warned, justNow, NOW, INTERVAL))
                .as("a warning").isNull();
    }

    @Test
    void nodeCountsWaitLikeAvailableCounts() {
        // a fleet whose nodes change kernel one by one: counts move on every node, nothing a user acts on changes
        ModuleStatus before = rollingOut(10, false, null);
        before.getUnmatchedKernels().add(unmatched("5.0.0-old", 30));
        ModuleStatus after = rollingOut(10, false, null);
        after.setSelectedNodes(1001);
        after.setTargetedNodes(980);
        after.getKernels().get(0).setNodes(980);
        after.getUnmatchedKernels().add(unmatched("5.0.0-old", 21));
        assertThat(StatusPacing.deferral(before, after, NOW.minusSeconds(4), NOW, INTERVAL))
                .isEqualTo(Duration.ofSeconds(6));
        assertThat(StatusPacing.deferral(before, after, NOW.minusSeconds(11), NOW, INTERVAL)).as("due").isNull();
    }

    static UnmatchedKernel unmatched(String kernel, int nodes) {
        UnmatchedKernel u = new UnmatchedKernel();
        u.setKernel(kernel);
        u.setNodes(nodes);
        return u;
    }

    @Test
    void theFirstWriteAndAZeroIntervalAreNotPaced() {
        assertThat(StatusPacing.deferral(null, rollingOut(1, false, null), null, NOW, INTERVAL)).isNull();
        assertThat(StatusPacing.deferral(rollingOut(10, false, null), rollingOut(11, false, null), null, NOW,
                INTERVAL)).as("not written by this process yet").isNull();
        assertThat(StatusPacing.deferral(rollingOut(10, false, null), rollingOut(11, false, null), NOW, NOW,
                Duration.ZERO)).isNull();
    }
}
