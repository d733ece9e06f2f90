package io.kmm.module;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Module;
import io.kmm.kernel.ImageReferences;
import io.kmm.kernel.KernelMapper;
import io.kmm.kernel.KernelResolution;
import io.kmm.kernel.MappingValidation;
import io.kmm.loader.DaemonSetDrift;
import io.kmm.loader.DevicePluginDaemonSets;
import io.kmm.loader.ModuleLoaderDaemonSets;
import io.kmm.meta.Labels;
import io.kmm.meta.Names;
import io.kmm.status.Warning;

/**
 * Decides a reconcile, in two pure steps around the one lookup that needs the registry:
 * <ol>
 * <li>{@link #resolve}: the Module's spec validated once, and one resolution per kernel of its selected nodes;</li>
 * <li>(the reconciler asks the registry about the images of kernels that are built in the cluster)</li>
 * <li>{@link #plan}: per kernel, the build decision and the loader DaemonSet; the device plugin; and the actions
 * that make the cluster match.</li>
 * </ol>
 * Kernels whose mappings cannot be evaluated, and kernels whose image is not available yet, keep their existing
 * DaemonSet untouched: a typo in a Module, or a build in progress, must not unload a module that is running.
 */
public final class ModulePlanner {

    /**
     * @param kernelLabelKey the node label that carries the kernel
     * @param buildObjectKind "Job" or "Build"
     * @param buildRetention how long successful builds are kept
     * @param now the reconcile's clock
     */
    public record Settings(String kernelLabelKey, String buildObjectKind, Duration buildRetention, Instant now,
            io.kmm.kernel.SecurityPolicy policy) {

        public Settings(String kernelLabelKey, String buildObjectKind, Duration buildRetention, Instant now) {
            this(kernelLabelKey, buildObjectKind, buildRetention, now, io.kmm.kernel.SecurityPolicy.DEFAULT);
        }
    }

    /** The spec's validation and one resolution per kernel (sorted by kernel). */
    public record Resolution(MappingValidation.Result validation, Map<String, KernelResolution> kernels) {
    }

    private ModulePlanner() {
    }

    public static Resolution resolve(Module module, SelectedNodes nodes) {
        return resolve(module, nodes, io.kmm.kernel.SecurityPolicy.DEFAULT);
    }

    /** @param policy what the cluster admin allows beyond loading a module */
    public static Resolution resolve(Module module, SelectedNodes nodes, io.kmm.kernel.SecurityPolicy policy) {
        String namespace = module.getMetadata().getNamespace();
        if (!policy.namespaceAllowed(namespace)) {
            // Nothing of this Module is resolved, built or run: the admin keeps Modules out of this namespace.
            MappingValidation.Problem p = new MappingValidation.Problem("metadata.namespace", "Modules in namespace "
                    + namespace + " are not allowed (kmm.security.allowed-namespaces: "
                    + String.join(",", policy.allowedNamespaces()) + "): no DaemonSet, build or label is made for "
                    + "it, and those it had are removed", io.kmm.status.Reason.NAMESPACE_NOT_ALLOWED);
            return new Resolution(new MappingValidation.Result(List.of(p), List.of(p), List.of()), Map.of());
        }
        MappingValidation.Result validation = MappingValidation.validate(module.getSpec(), policy, namespace);
        return new Resolution(validation, new KernelMapper(module.getMetadata().getName(),
                module.getMetadata().getNamespace(), validation).resolveAll(nodes.byKernel().keySet()));
    }

    /** The plan of a Module without signing. */
    public static ModulePlan plan(Observed observed, Resolution resolution, Map<String, BuildDecision.Facts> builds,
            Settings settings) {
        return plan(observed, resolution, builds, Map.of(), settings);
    }

    /**
     * @param builds what is known about the image and builds of each kernel with build settings and no signing (a
     *        kernel without an entry is taken as having its image)
     * @param signs what is known about each kernel whose image is signed (a kernel without an entry is taken as
     *        having its signed image)
     */
    public static ModulePlan plan(Observed observed, Resolution resolution, Map<String, BuildDecision.Facts> builds,
            Map<String, SignDecision.Facts> signs, Settings settings) {
        Module module = observed.module();
        String moduleName = module.getMetadata().getName();
        Map<String, DaemonSet> owned = observed.daemonSets();
        boolean podsBlocked = resolution.validation().podsBlocked();

        List<Action> buildActions = new ArrayList<>();
        Duration requeue = null;
        List<KernelPlan> kernels = new ArrayList<>();
        Map<String, DaemonSet> desired = new LinkedHashMap<>();
        List<String> keep = new ArrayList<>();
        TreeSet<String> loadedKernelLabels = new TreeSet<>();

        for (KernelResolution r : resolution.kernels().values()) {
            String kernel = r.kernel();
            int count = observed.nodes().on(kernel);
            BuildDecision build = null;
            BuildDecision sign = null;
            String signInputs = null;
            if (r instanceof KernelResolution.Resolved resolved && resolved.sign() != null
                    && signs.containsKey(kernel)) {
                SignDecision.Facts facts = signs.get(kernel);
                SignDecision.Decided decided = SignDecision.decide(facts, settings.buildObjectKind(),
                        settings.now(), settings.buildRetention());
                build = decided.build();
                sign = decided.sign();
                signInputs = facts.sign() == null ? null : facts.sign().request().inputsHash();
            } else if (r instanceof KernelResolution.Resolved resolved && resolved.build() != null
                    && builds.containsKey(kernel)) {
                build = BuildDecision.decide(builds.get(kernel), settings.buildObjectKind(), settings.now(),
                        settings.buildRetention());
            }
            for (BuildDecision d : new BuildDecision[] { build, sign }) {
                if (d != null) {
                    buildActions.addAll(d.actions());
                    requeue = BuildDecision.min(requeue, d.requeueAfter());
                }
            }
            boolean held = (build != null && build.held()) || (sign != null && sign.held());
            String loaderName = null;
            DaemonSet desiredLoader = null;
            if (r instanceof KernelResolution.Resolved resolved && !held && !podsBlocked) {
                desiredLoader = ModuleLoaderDaemonSets.desired(module, resolved, settings.kernelLabelKey(),
                        signInputs, settings.policy());
                loaderName = desiredLoader.getMetadata().getName();
                desired.put(loaderName, desiredLoader);
                loadedKernelLabels.add(resolved.kernelLabel());
            } else if (!(r instanceof KernelResolution.Unmatched)) {
                String name = Names.loaderDaemonSet(moduleName, kernel, module.getSpec().getVersion());
                DaemonSet existing = owned.get(name);
                if (existing != null) {
                    keep.add(name);
                    loaderName = name;
                    loadedKernelLabels.add(existing.getMetadata().getLabels().get(Labels.KERNEL_VERSION));
                }
            }
            kernels.add(new KernelPlan(kernel, count, r, build, sign, loaderName, desiredLoader));
        }

        String devicePluginName = null;
        boolean forbidden = !settings.policy().namespaceAllowed(module.getMetadata().getNamespace());
        if (podsBlocked && !forbidden) {
            String name = Names.devicePluginDaemonSet(moduleName, module.getSpec().getVersion());
            if (owned.containsKey(name)) {
                keep.add(name);
                devicePluginName = name;
            }
        } else if (module.getSpec().getDevicePlugin() != null && !loadedKernelLabels.isEmpty()) {
            DaemonSet dp = DevicePluginDaemonSets.desired(module, settings.policy());
            devicePluginName = dp.getMetadata().getName();
            desired.put(devicePluginName, dp);
        }

        List<Action> actions = new ArrayList<>(buildActions);
        List<Action> updates = new ArrayList<>();
        desired.forEach((name, ds) -> {
            DaemonSet actual = owned.get(name);
            if (actual == null) {
                actions.add(new Action.CreateDaemonSet(ds));
            } else if (!DaemonSetDrift.upToDate(ds, actual)) {
                updates.add(new Action.UpdateDaemonSet(ds, actual));
            }
        });
        actions.addAll(updates);
        owned.forEach((name, ds) -> {
            // a versioned Module's DaemonSets of other versions stay while nodes still run (or are meant to run) them
            boolean otherVersion = module.getSpec().getVersion() != null && !forbidden
                    && VersionRollouts.keep(ds, observed.versionNodes());
            if (!desired.containsKey(name) && !keep.contains(name) && !otherVersion) {
                actions.add(new Action.DeleteDaemonSet(ds));
            }
        });
        return new ModulePlan(observed.nodes(), resolution.validation(), List.copyOf(kernels), devicePluginName,
                List.copyOf(actions), requeue, warnings(observed, kernels));
    }

    static List<Warning> warnings(Observed observed, List<KernelPlan> kernels) {
        Module module = observed.module();
        List<Warning> warnings = new ArrayList<>();
        if (observed.imageRepoSecretMissing()) {
            warnings.add(Warning.missingImageRepoSecret(module.getMetadata().getNamespace(),
                    module.getSpec().getImageRepoSecret().getName()));
        }
        if (kernels.stream().allMatch(k -> k.resolution() instanceof KernelResolution.Unmatched)) {
            SelectedNodes nodes = observed.nodes();
            warnings.add(Warning.noTargetedNodes(module.getSpec().getSelector(), nodes.total(),
                    nodes.withoutKernel(), List.copyOf(nodes.byKernel().keySet())));
        }
        Container loader = module.getSpec().getModuleLoader();
        boolean modprobe = module.getSpec().getModprobe() != null;
        if (!modprobe && !ModuleLoaderDaemonSets.ownPreStop(loader)) {
            warnings.add(Warning.MISSING_PRE_STOP);
        }
        if (modprobe && ModuleLoaderDaemonSets.ownCommand(loader)) {
            warnings.add(Warning.modprobeOverridden("spec.moduleLoader.command", "load"));
        }
        if (modprobe && ModuleLoaderDaemonSets.ownPreStop(loader)) {
            warnings.add(Warning.modprobeOverridden("spec.moduleLoader.lifecycle.preStop", "unload"));
        }
        // One warning per mapping whose image names no tag or digest (the nodes would pull ":latest").
        TreeSet<Integer> untagged = new TreeSet<>();
        Map<Integer, String> images = new LinkedHashMap<>();
        for (KernelPlan k : kernels) {
            if (k.resolution() instanceof KernelResolution.Resolved r && !ImageReferences.hasTagOrDigest(r.image())) {
                untagged.add(r.mappingIndex());
                images.putIfAbsent(r.mappingIndex(), r.image());
            }
        }
        untagged.forEach(i -> warnings.add(Warning.imageWithoutTag(i, images.get(i))));
        return List.copyOf(warnings);
    }
}
