package io.kmm.module;

import java.util.Objects;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;

/**
 * Which updates of a KMM DaemonSet bring its Module back at once. While its pods start, the DaemonSet controller
 * rewrites a DaemonSet's status for nearly every pod (counts of scheduled, ready, available pods): a thousand-node
 * rollout sends thousands of such updates per DaemonSet, and each used to cost a whole Module reconcile (its nodes,
 * its desired DaemonSets) whose only outcome was a progress count that {@link StatusPacing} holds back anyway. So a
 * change of counts alone waits while the Module is moving: the Module controller looks again every
 * {@code kmm.status-progress-interval} while a Progressing Module's status keeps changing; a Module that is stuck
 * (nothing changed since its last look) lets the next count through, so a rollout that resumes is seen at once, and
 * a stuck one costs no reconciles. What always passes: anything of the DaemonSet's own (generation, i.e. its spec;
 * deletion; KMM's labels and annotations; its Module owners) and a change of whether it has rolled out (every desired
 * pod up to date and available, for its current generation), in either direction. Pure.
 *
 * <p>
 * The old object is the informer's cached copy, pruned ({@link PrunedStores}): only what pruning keeps is compared.
 */
public final class DaemonSetEvents {

    private DaemonSetEvents() {
    }

    public static boolean matters(DaemonSet now, DaemonSet old) {
        ObjectMeta n = now.getMetadata();
        ObjectMeta o = old.getMetadata();
        if (!Objects.equals(n.getGeneration(), o.getGeneration())
                || !Objects.equals(n.getDeletionTimestamp(), o.getDeletionTimestamp())
                || !Objects.equals(PrunedStores.kmmKeys(n.getLabels()), PrunedStores.kmmKeys(o.getLabels()))
                || !Objects.equals(PrunedStores.kmmKeys(n.getAnnotations()), PrunedStores.kmmKeys(o.getAnnotations()))
                || !Objects.equals(PrunedStores.meta(n).getOwnerReferences(), o.getOwnerReferences())) {
            return true;
        }
        return settled(now) != settled(old);
    }

    /** The Module that controls the DaemonSet (by its controller reference), or null. */
    public static io.javaoperatorsdk.operator.processing.event.ResourceID module(DaemonSet ds) {
        var owners = ds.getMetadata().getOwnerReferences();
        if (owners == null) {
            return null;
        }
        return owners.stream().filter(o -> Boolean.TRUE.equals(o.getController())
                && io.kmm.api.v1alpha1.Module.KIND.equals(o.getKind())).findFirst()
                .map(o -> new io.javaoperatorsdk.operator.processing.event.ResourceID(o.getName(),
                        ds.getMetadata().getNamespace()))
                .orElse(null);
    }

    /** Every pod the DaemonSet controller wants is up to date and available, for the current spec. */
    static boolean settled(DaemonSet ds) {
        DaemonSetStatus s = ds.getStatus();
        if (s == null) {
            return false;
        }
        Long generation = ds.getMetadata().getGeneration();
        if (generation != null && (s.getObservedGeneration() == null || s.getObservedGeneration() < generation)) {
            return false;
        }
        int desired = s.getDesiredNumberScheduled() == null ? 0 : s.getDesiredNumberScheduled();
        int available = s.getNumberAvailable() == null ? 0 : s.getNumberAvailable();
        int updated = s.getUpdatedNumberScheduled() == null ? 0 : s.getUpdatedNumberScheduled();
        return available >= desired && updated >= desired;
    }
}
