package io.kmm.module;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.kernel.KernelResolution;

/**
 * Everything one reconcile decided for one kernel of a Module's selected nodes, in one record: what the mappings
 * say, what builds mean, and which loader DaemonSet the kernel has.
 *
 * @param nodes selected nodes that run this kernel
 * @param resolution what the kernel mappings say for it
 * @param build what in-cluster builds mean for it, or null when its mapping has no build settings
 * @param loaderName the loader DaemonSet the kernel has after this reconcile (desired, or an existing one kept as it
 *        is), or null
 * @param desiredLoader the loader DaemonSet wanted for it, or null when it has none (no mapping, an error, its image
 *        not available yet, or every pod held back)
 */
public record KernelPlan(String kernel, int nodes, KernelResolution resolution, BuildDecision build,
        String loaderName, DaemonSet desiredLoader) {
}
