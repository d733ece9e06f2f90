package io.kmm.node;

import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.kmm.api.v1alpha1.Module;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Which loader pods count for a module-ready label: those controlled by a loader DaemonSet that a Module controls
 * (owner references, by uid), never a pod that only carries the labels. The DaemonSets' cache keeps only their
 * identity and owners. Pure, but for the store.
 */
public final class LoaderDaemonSets {

    private LoaderDaemonSets() {
    }

    /**
     * The name of the Module whose loader DaemonSet controls the pod, when the DaemonSet (as the cache holds it) is
     * the one the pod names, by uid, and a Module controls it.
     *
     * @param daemonSet the DaemonSet of the pod's namespace named by its controller reference, or null
     */
    public static Optional<String> moduleOf(Pod pod, DaemonSet daemonSet) {
        OwnerReference podOwner = LoaderPods.controller(pod);
        if (podOwner == null || daemonSet == null || !"DaemonSet".equals(podOwner.getKind())
                || !podOwner.getUid().equals(daemonSet.getMetadata().getUid())) {
            return Optional.empty();
        }
        OwnerReference module = LoaderPods.controller(daemonSet);
        if (module == null || !Module.KIND.equals(module.getKind()) || module.getApiVersion() == null
                || !module.getApiVersion().startsWith(Module.GROUP + "/")) {
            return Optional.empty();
        }
        return Optional.of(module.getName());
    }

    /** The parts of a loader DaemonSet the labeller reads. Pure. */
    public static DaemonSet prune(DaemonSet ds) {
        ObjectMeta meta = ds.getMetadata();
        OwnerReference controller = LoaderPods.controller(ds);
        return new DaemonSetBuilder().withApiVersion(ds.getApiVersion()).withKind(ds.getKind()).withNewMetadata()
                .withName(meta.getName()).withNamespace(meta.getNamespace()).withUid(meta.getUid())
                .withResourceVersion(meta.getResourceVersion()).withLabels(meta.getLabels())
                .withOwnerReferences(controller == null ? List.of() : List.of(controller)).endMetadata().build();
    }

    /** The informer cache of loader DaemonSets, pruned. */
    @RegisterForReflection
    public static class Store extends BasicItemStore<DaemonSet> {

        public Store() {
            super(Cache::metaNamespaceKeyFunc);
        }

        @Override
        public DaemonSet put(String key, DaemonSet ds) {
            return super.put(key, prune(ds));
        }
    }
}
