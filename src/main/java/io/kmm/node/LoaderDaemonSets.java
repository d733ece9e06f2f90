package io.kmm.node;

import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;

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

    /**
     * Whether a loader DaemonSet is the one for the kernel the node is labelled with: its kernel label (which its node
     * selector also requires) equals the node's. A node without a kernel label runs no known kernel: no DaemonSet
     * serves it.
     *
     * @param nodeKernelLabel the value of the node's kernel label ({@link Labels#KERNEL_VERSION} or NFD's), or null
     */
    public static boolean servesKernel(DaemonSet daemonSet, String nodeKernelLabel) {
        Map<String, String> labels = daemonSet.getMetadata().getLabels();
        return nodeKernelLabel != null && labels != null && nodeKernelLabel.equals(labels.get(Labels.KERNEL_VERSION));
    }
}
