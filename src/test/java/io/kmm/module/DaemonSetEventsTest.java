package io.kmm.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;

/** Counts of starting pods wait; what the Module acts on (its spec, owners, labels, rolled out or not) passes. */
class DaemonSetEventsTest {

    static DaemonSet ds(long generation, long observed, int desired, int available, int updated,
            Map<String, String> labels) {
        return new DaemonSetBuilder().withNewMetadata().withName("l").withNamespace("ns").withGeneration(generation)
                .withLabels(labels).addNewOwnerReference().withKind("Module").withName("m").withUid("u")
                .withController(true).withApiVersion("ooto.sigs.k8s.io/v1alpha1").endOwnerReference().endMetadata()
                .withNewStatus().withObservedGeneration(observed).withDesiredNumberScheduled(desired)
                .withNumberAvailable(available).withUpdatedNumberScheduled(updated).endStatus().build();
    }

    static final Map<String, String> KMM = Map.of("app.kubernetes.io/managed-by", "kmm-operator");

    /** As the informer hands it: the old object is the pruned cached copy. */
    static boolean matters(DaemonSet now, DaemonSet old) {
        return DaemonSetEvents.matters(now, PrunedStores.prune(old));
    }

    @Test
    void progressCountsWaitRolledOutOrNotPasses() {
        DaemonSet starting = ds(1, 1, 1000, 10, 1000, KMM);
        assertThat(matters(ds(1, 1, 1000, 500, 1000, KMM), starting)).as("more pods available").isFalse();
        assertThat(matters(ds(1, 1, 1000, 1000, 1000, KMM), ds(1, 1, 1000, 999, 1000, KMM))).as("the last one")
                .isTrue();
        assertThat(matters(ds(1, 1, 1000, 999, 1000, KMM), ds(1, 1, 1000, 1000, 1000, KMM)))
                .as("a pod no longer available").isTrue();
        assertThat(matters(ds(1, 1, 1001, 1000, 1000, KMM), ds(1, 1, 1000, 1000, 1000, KMM)))
                .as("one more node to run on").isTrue();
    }

    @Test
    void theDaemonSetsOwnChangesPass() {
        DaemonSet before = ds(1, 1, 3, 3, 3, KMM);
        assertThat(matters(ds(2, 1, 3, 3, 3, KMM), before)).as("a new spec (generation)").isTrue();
        assertThat(matters(ds(1, 1, 3, 3, 3, Map.of()), before)).as("KMM's label removed").isTrue();
        assertThat(matters(ds(1, 1, 3, 3, 3, Map.of("app.kubernetes.io/managed-by", "kmm-operator", "team", "x")),
                before)).as("someone else's label").isFalse();
        DaemonSet orphan = ds(1, 1, 3, 3, 3, KMM);
        orphan.getMetadata().setOwnerReferences(java.util.List.of());
        assertThat(matters(orphan, before)).as("its Module owner removed").isTrue();
        DaemonSet deleting = ds(1, 1, 3, 3, 3, KMM);
        deleting.getMetadata().setDeletionTimestamp("2026-12-06T00:00:00Z");
        assertThat(matters(deleting, before)).as("being deleted").isTrue();
        assertThat(matters(ds(1, 1, 3, 3, 3, KMM), before)).as("a resync, nothing changed").isFalse();
    }

    @Test
    void theModuleIsTheControllingOwner() {
        assertThat(DaemonSetEvents.module(ds(1, 1, 3, 3, 3, KMM)))
                .isEqualTo(new io.javaoperatorsdk.operator.processing.event.ResourceID("m", "ns"));
        DaemonSet orphan = ds(1, 1, 3, 3, 3, KMM);
        orphan.getMetadata().getOwnerReferences().get(0).setController(false);
        assertThat(DaemonSetEvents.module(orphan)).isNull();
    }
}
