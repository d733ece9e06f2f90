package io.kmm.module;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.kernel.KernelResolution;

/**
 * Everything one reconcile decided for one kernel of a Module's selected nodes, in one record: what the mappings
 * say, what builds mean, and which loader DaemonSet the kernel has.
 *
 * @param nodes selected nodes that run this kernel
 * @param resolution what the kernel mappings say for it
 * @param build what in-cluster builds mean for it, or null when its mapping has no build settings (with signing:
 *        the build of the unsigned image)
 * @param sign what signing means for it, or null when its image is not signed
 * @param loaderName the loader DaemonSet the kernel has after this reconcile (desired, or an existing one kept as it
 *        is), or null
 * @param desiredLoader the loader DaemonSet wanted for it, or null when it has none (no mapping, an error, its image
 *        not available yet, or every pod held back)
 */
public record KernelPlan(String kernel, int nodes, KernelResolution resolution, BuildDecision build,
        BuildDecision sign, String loaderName, DaemonSet desiredLoader) {

    /** The kernel's image is not available yet (being built or signed, or it cannot be). */
    public boolean held() {
        return (build != null && build.held()) || (sign != null && sign.held());
    }

    /** What the user must fix about the kernel's image, the build's first, or null. */
    public BuildDecision failed() {
        if (build != null && build.error() != null) {
            return build;
        }
        return sign != null && sign.error() != null ? sign : null;
    }
}
