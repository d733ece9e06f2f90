package io.kmm.module;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Module;
import io.kmm.kernel.KernelMapper;
import io.kmm.kernel.KernelResolution;
import io.kmm.kernel.MappingValidation;
import io.kmm.loader.DaemonSetDrift;
import io.kmm.loader.DevicePluginDaemonSets;
import io.kmm.loader.ModuleLoaderDaemonSets;
import io.kmm.meta.Labels;
import io.kmm.meta.Names;

/**
 * Everything one reconcile of a Module must do, computed from scratch from the Module, its selected nodes' kernels
 * and the DaemonSets it owns. Pure: no API calls.
 *
 * <p>
 * Kernels whose mappings cannot be evaluated ({@link KernelResolution.Invalid}), and kernels whose image is not
 * available yet, keep their existing DaemonSet untouched: a typo in a Module, or a build in progress, must not
 * unload a module that is running.
 *
 * @param nodes selected nodes by kernel
 * @param resolutions what the kernel mappings say for each kernel
 * @param loaderNames kernel to ModuleLoader DaemonSet name, for kernels that have (or keep) one
 * @param devicePluginName name of the device-plugin DaemonSet, or null when none is wanted
 * @param podsBlocked a problem concerns every pod of the Module (no loader, a forbidden hostPath): no DaemonSet is
 *        created or changed
 */
public record ModulePlan(
        SelectedNodes nodes,
        Map<String, KernelResolution> resolutions,
        Map<String, String> loaderNames,
        String devicePluginName,
        boolean podsBlocked,
        List<DaemonSet> create,
        List<Update> update,
        List<DaemonSet> delete) {

    /** An existing DaemonSet and what it should become. */
    public record Update(DaemonSet desired, DaemonSet actual) {
    }

    public static ModulePlan compute(Module module, SelectedNodes nodes, Collection<DaemonSet> owned,
            String kernelLabelKey) {
        return compute(module, nodes, resolve(module, nodes), owned, kernelLabelKey, java.util.Set.of());
    }

    /** Step one of every reconcile: one resolution per kernel of the selected nodes. */
    public static Map<String, KernelResolution> resolve(Module module, SelectedNodes nodes) {
        return new KernelMapper(module.getMetadata().getName(), module.getMetadata().getNamespace(),
                module.getSpec()).resolveAll(nodes.byKernel().keySet());
    }

    /**
     * @param resolutions from {@link #resolve}: the plan never reads the kernel mappings again
     * @param held kernels whose image is not available yet (being built, or the registry cannot be checked): their
     *        loader is not created, and an existing one is left as it is
     */
    public static ModulePlan compute(Module module, SelectedNodes nodes, Map<String, KernelResolution> resolutions,
            Collection<DaemonSet> owned, String kernelLabelKey, java.util.Set<String> held) {
        String moduleName = module.getMetadata().getName();

        Map<String, DaemonSet> desired = new LinkedHashMap<>();
        Map<String, String> loaderNames = new LinkedHashMap<>();
        List<String> keep = new ArrayList<>();
        TreeSet<String> loadedKernelLabels = new TreeSet<>();
        Map<String, DaemonSet> ownedByName = new LinkedHashMap<>();
        owned.forEach(ds -> ownedByName.put(ds.getMetadata().getName(), ds));

        // A problem that concerns every pod (a forbidden hostPath volume): no DaemonSet is created or changed;
        // existing ones are left as they are (nothing is unloaded because of a typo).
        boolean podsBlocked = !MappingValidation.podProblems(module.getSpec()).isEmpty();
        for (KernelResolution resolution : resolutions.values()) {
            if (resolution instanceof KernelResolution.Resolved resolved && !held.contains(resolved.kernel())
                    && !podsBlocked) {
                DaemonSet ds = ModuleLoaderDaemonSets.desired(module, resolved, kernelLabelKey);
                desired.put(ds.getMetadata().getName(), ds);
                loaderNames.put(resolved.kernel(), ds.getMetadata().getName());
                loadedKernelLabels.add(resolved.kernelLabel());
            } else if (!(resolution instanceof KernelResolution.Unmatched)) {
                String name = Names.loaderDaemonSet(moduleName, resolution.kernel());
                DaemonSet existing = ownedByName.get(name);
                if (existing != null) {
                    keep.add(name);
                    loaderNames.put(resolution.kernel(), name);
                    loadedKernelLabels.add(existing.getMetadata().getLabels().get(Labels.KERNEL_VERSION));
                }
            }
        }

        String devicePluginName = null;
        if (podsBlocked) {
            String name = Names.devicePluginDaemonSet(moduleName);
            if (ownedByName.containsKey(name)) {
                keep.add(name);
                devicePluginName = name;
            }
        } else if (module.getSpec().getDevicePlugin() != null && !loadedKernelLabels.isEmpty()) {
            DaemonSet dp = DevicePluginDaemonSets.desired(module, loadedKernelLabels, kernelLabelKey);
            devicePluginName = dp.getMetadata().getName();
            desired.put(devicePluginName, dp);
        }

        List<DaemonSet> create = new ArrayList<>();
        List<Update> update = new ArrayList<>();
        List<DaemonSet> delete = new ArrayList<>();
        desired.forEach((name, ds) -> {
            DaemonSet actual = ownedByName.get(name);
            if (actual == null) {
                create.add(ds);
            } else if (!DaemonSetDrift.upToDate(ds, actual)) {
                update.add(new Update(ds, actual));
            }
        });
        ownedByName.forEach((name, ds) -> {
            if (!desired.containsKey(name) && !keep.contains(name)) {
                delete.add(ds);
            }
        });
        return new ModulePlan(nodes, resolutions, loaderNames, devicePluginName, podsBlocked, create, update, delete);
    }

    /** True when the plan changes nothing. */
    public boolean isNoop() {
        return create.isEmpty() && update.isEmpty() && delete.isEmpty();
    }
}
