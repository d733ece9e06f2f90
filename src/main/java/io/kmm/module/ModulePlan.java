package io.kmm.module;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Module;
import io.kmm.kernel.KernelResolution;
import io.kmm.kernel.MappingValidation;
import io.kmm.status.Reason;
import io.kmm.status.Warning;

/**
 * Everything one reconcile of a Module must do, computed by {@link ModulePlanner} from what was observed: one
 * {@link KernelPlan} per kernel, the device plugin, and the {@link Action}s (builds and DaemonSets alike) that make
 * the cluster match.
 *
 * @param nodes the selected nodes, by kernel
 * @param validation what is wrong with the Module's spec, whatever the kernel
 * @param kernels one record per kernel of the selected nodes, sorted by kernel
 * @param devicePluginName the device-plugin DaemonSet the Module has after this reconcile, or null
 * @param actions the writes, in order: builds, then DaemonSets created, updated, deleted
 * @param requeueAfter when to look again without an event (a successful build's retention ends), or null
 * @param warnings what the user should know that is not an error
 */
public record ModulePlan(SelectedNodes nodes, MappingValidation.Result validation, List<KernelPlan> kernels,
        String devicePluginName, List<Action> actions, Duration requeueAfter, List<Warning> warnings) {

    /**
     * The plan of a Module without in-cluster builds (every kernel's image taken as available): for tests of the
     * DaemonSet decisions.
     */
    public static ModulePlan compute(Module module, SelectedNodes nodes, Collection<DaemonSet> owned,
            String kernelLabelKey) {
        Map<String, DaemonSet> byName = new LinkedHashMap<>();
        owned.forEach(ds -> byName.put(ds.getMetadata().getName(), ds));
        return ModulePlanner.plan(new Observed(module, nodes, byName, List.of()), ModulePlanner.resolve(module, nodes),
                Map.of(), new ModulePlanner.Settings(kernelLabelKey, "Job", Duration.ofMinutes(10),
                        java.time.Instant.EPOCH));
    }

    /** A problem concerns every pod of the Module (no loader, a forbidden hostPath): no DaemonSet is written. */
    public boolean podsBlocked() {
        return validation.podsBlocked();
    }

    /** What the kernel mappings say, by kernel. */
    public Map<String, KernelResolution> resolutions() {
        Map<String, KernelResolution> out = new LinkedHashMap<>();
        kernels.forEach(k -> out.put(k.kernel(), k.resolution()));
        return out;
    }

    /** Kernel to loader DaemonSet name, for kernels that have (or keep) one. */
    public Map<String, String> loaderNames() {
        Map<String, String> out = new LinkedHashMap<>();
        kernels.stream().filter(k -> k.loaderName() != null).forEach(k -> out.put(k.kernel(), k.loaderName()));
        return out;
    }

    public List<DaemonSet> create() {
        return actions.stream().filter(Action.CreateDaemonSet.class::isInstance)
                .map(a -> ((Action.CreateDaemonSet) a).desired()).toList();
    }

    public List<Action.UpdateDaemonSet> update() {
        return actions.stream().filter(Action.UpdateDaemonSet.class::isInstance)
                .map(Action.UpdateDaemonSet.class::cast).toList();
    }

    public List<DaemonSet> delete() {
        return actions.stream().filter(Action.DeleteDaemonSet.class::isInstance)
                .map(a -> ((Action.DeleteDaemonSet) a).actual()).toList();
    }

    /** True when the plan writes nothing. */
    public boolean isNoop() {
        return actions.isEmpty();
    }

    /** Whether the registry could not be asked about some kernel's image (the reconciler retries with backoff). */
    public boolean registryCheckFailed() {
        return kernels.stream().anyMatch(k -> (k.build() != null && k.build().reason() == Reason.REGISTRY_CHECK_FAILED)
                || (k.sign() != null && k.sign().reason() == Reason.REGISTRY_CHECK_FAILED));
    }
}
