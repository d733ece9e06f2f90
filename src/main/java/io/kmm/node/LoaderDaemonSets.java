package io.kmm.node;

import java.util.Optional;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Module;

/**
 * Which loader pods count for a module-ready label: those controlled by a loader DaemonSet that a Module controls
 * (owner references, by uid), never a pod that only carries the labels. Pure.
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
}
