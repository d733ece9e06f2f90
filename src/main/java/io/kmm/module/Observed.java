package io.kmm.module;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Module;
import io.kmm.build.BuildState;

/**
 * What a reconcile reads from the informer caches, before it decides anything.
 *
 * @param module the Module (with a spec, an empty one if it has none)
 * @param nodes its selected nodes, by kernel
 * @param daemonSets the DaemonSets it owns, by name
 * @param builds its build objects, every kernel's
 * @param imageRepoSecretMissing spec.imageRepoSecret names a Secret that does not exist
 * @param versionNodes the version labels of the selected nodes (versioned Modules only, else empty)
 */
public record Observed(Module module, SelectedNodes nodes, Map<String, DaemonSet> daemonSets,
        List<BuildState> builds, boolean imageRepoSecretMissing, List<VersionRollouts.NodeView> versionNodes) {

    public Observed(Module module, SelectedNodes nodes, Map<String, DaemonSet> daemonSets, List<BuildState> builds,
            boolean imageRepoSecretMissing) {
        this(module, nodes, daemonSets, builds, imageRepoSecretMissing, List.of());
    }

    public Observed(Module module, SelectedNodes nodes, Map<String, DaemonSet> daemonSets, List<BuildState> builds) {
        this(module, nodes, daemonSets, builds, false);
    }
}
