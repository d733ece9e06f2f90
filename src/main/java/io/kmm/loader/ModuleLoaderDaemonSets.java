package io.kmm.loader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.KernelMapping;
import io.kmm.api.v1alpha1.Modprobe;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.ModuleSpec;
import io.kmm.kernel.KernelResolution;
import io.kmm.kernel.SecurityPolicy;
import io.kmm.meta.Labels;
import io.kmm.meta.Names;

/**
 * The desired ModuleLoader DaemonSet of one Module and kernel: the user's moduleLoader container with the kernel's
 * image, on the selected nodes that run that kernel, with the host's module directories mounted and, unless the
 * user says otherwise, only CAP_SYS_MODULE added.
 */
public final class ModuleLoaderDaemonSets {

    public static final String CONTAINER_NAME = "module-loader";
    static final String LIB_MODULES_VOLUME = "kmm-lib-modules";
    static final String USR_LIB_MODULES_VOLUME = "kmm-usr-lib-modules";
    static final String FIRMWARE_VOLUME = "kmm-firmware";
    static final String STATE_VOLUME = "kmm-loader-state";

    private ModuleLoaderDaemonSets() {
    }

    /**
     * @param kernelLabelKey the node label that carries the kernel ({@link Labels#KERNEL_VERSION} or NFD's)
     */
    public static DaemonSet desired(Module module, KernelResolution.Resolved kernel, String kernelLabelKey) {
        return desired(module, kernel, kernelLabelKey, null);
    }

    /**
     * @param signInputs for a signed image: the inputs it was signed with, on the pod template (a new signing, e.g.
     *        with a new key, restarts the loaders), else null
     */
    public static DaemonSet desired(Module module, KernelResolution.Resolved kernel, String kernelLabelKey,
            String signInputs) {
        return desired(module, kernel, kernelLabelKey, signInputs, SecurityPolicy.DEFAULT);
    }

    /**
     * What {@link #desired} depends on: the Module as the API server stored it (uid and resourceVersion: a Module
     * built or changed in memory has none and is never remembered) and the kernel's resolution (its build and signing
     * come from the same spec).
     */
    record Inputs(String uid, String resourceVersion, String name, String namespace, String kernel, String kernelLabel,
            int mappingIndex, String image, String kernelLabelKey, String signInputs, SecurityPolicy policy) {
    }

    /** One remembered DaemonSet per Module and kernel: the last one built, for the inputs it was built from. */
    private record Built(Inputs inputs, DaemonSet daemonSet) {
    }

    /**
     * Desired loader DaemonSets already built, shared: every Module reconcile wants one per kernel, and building and
     * hashing them was half of a reconcile's CPU. One per Module (uid) and kernel, replaced when the Module's stored
     * version or the kernel's resolution changes; never changed once built (callers copy before sending one).
     * Bounded: emptied when full (at 100 Modules over 20 kernels it holds 2,000, about 5 KiB each).
     */
    private static final Map<String, Built> BUILT = new java.util.concurrent.ConcurrentHashMap<>();
    static final int MAX_BUILT = 4096;

    /**
     * @param policy what the cluster admin allows (control-plane nodes)
     * @return the desired DaemonSet; shared with other callers for the same inputs, so never to be changed
     */
    public static DaemonSet desired(Module module, KernelResolution.Resolved kernel, String kernelLabelKey,
            String signInputs, SecurityPolicy policy) {
        var meta = module.getMetadata();
        if (meta.getUid() == null || meta.getResourceVersion() == null) {
            return build(module, kernel, kernelLabelKey, signInputs, policy);
        }
        Inputs inputs = new Inputs(meta.getUid(), meta.getResourceVersion(), meta.getName(), meta.getNamespace(),
                kernel.kernel(), kernel.kernelLabel(), kernel.mappingIndex(), kernel.image(), kernelLabelKey,
                signInputs, policy);
        String slot = meta.getUid() + "/" + kernel.kernel();
        Built built = BUILT.get(slot);
        if (built == null || !built.inputs().equals(inputs)) {
            if (BUILT.size() >= MAX_BUILT) {
                BUILT.clear();
            }
            built = new Built(inputs, build(module, kernel, kernelLabelKey, signInputs, policy));
            BUILT.put(slot, built);
        }
        return built.daemonSet();
    }

    private static DaemonSet build(Module module, KernelResolution.Resolved kernel, String kernelLabelKey,
            String signInputs, SecurityPolicy policy) {
        String moduleName = module.getMetadata().getName();
        Map<String, String> labels = Labels.of(moduleName, Labels.ROLE_MODULE_LOADER, kernel.kernelLabel());

        Map<String, String> nodeSelector = new LinkedHashMap<>();
        if (module.getSpec().getSelector() != null) {
            nodeSelector.putAll(module.getSpec().getSelector());
        }
        nodeSelector.put(kernelLabelKey, kernel.kernelLabel());
        String version = module.getSpec().getVersion();
        if (version != null) {
            // one DaemonSet per version: a node runs the one its loader-version label (moved in order) names
            labels.put(Labels.MODULE_VERSION, version);
            nodeSelector.put(Labels.moduleKey(module.getMetadata().getNamespace(), moduleName,
                    Labels.LOADER_VERSION_SUFFIX), version);
        }

        List<Volume> volumes = new ArrayList<>();
        volumes.add(hostPath(LIB_MODULES_VOLUME, "/lib/modules", "Directory"));
        volumes.add(hostPath(USR_LIB_MODULES_VOLUME, "/usr/lib/modules", null));
        if (module.getSpec().getModprobe() != null && !ownCommand(module.getSpec().getModuleLoader())) {
            // where the generated load step marks that it loaded (see ModprobeCommands.LOADED_MARK)
            volumes.add(new VolumeBuilder().withName(STATE_VOLUME).withNewEmptyDir().withMedium("Memory")
                    .withSizeLimit(new io.fabric8.kubernetes.api.model.Quantity("1Mi")).endEmptyDir().build());
        }
        if (module.getSpec().getModprobe() != null && module.getSpec().getModprobe().getFirmwarePath() != null) {
            // only for copying the Module's firmware in and out, see docs/security.md
            volumes.add(hostPath(FIRMWARE_VOLUME, ModprobeCommands.FIRMWARE_DIR, "DirectoryOrCreate"));
        }

        DaemonSet ds = PodTemplates.daemonSet(module, Names.loaderDaemonSet(moduleName, kernel.kernel(), version), labels,
                loaderContainer(module.getSpec(), kernel), volumes, nodeSelector, PodTemplates.affinity(policy));
        ds.getMetadata().getAnnotations().put(Labels.KERNEL_VERSION_ANNOTATION, kernel.kernel());
        if (signInputs != null) {
            ds.getSpec().getTemplate().getMetadata().getAnnotations().put(Labels.SIGN_INPUTS, signInputs);
        }
        return DesiredHash.stamp(ds);
    }

    static Container loaderContainer(ModuleSpec spec, KernelResolution.Resolved kernel) {
        Container user = spec.getModuleLoader();
        ContainerBuilder b = new ContainerBuilder(user == null ? new Container() : user)
                .withName(CONTAINER_NAME)
                .withImage(kernel.image());
        List<VolumeMount> mounts = new ArrayList<>(user == null || user.getVolumeMounts() == null
                ? List.of() : user.getVolumeMounts());
        mounts.add(new VolumeMountBuilder().withName(LIB_MODULES_VOLUME).withMountPath("/lib/modules")
                .withReadOnly(true).build());
        mounts.add(new VolumeMountBuilder().withName(USR_LIB_MODULES_VOLUME).withMountPath("/usr/lib/modules")
                .withReadOnly(true).build());
        Modprobe modprobe = spec.getModprobe();
        if (modprobe != null) {
            if (!ownCommand(user)) {
                b.withCommand("/bin/sh", "-c", ModprobeCommands.load(modprobe, inTreeModulesToRemove(spec, kernel)));
                b.withArgs((List<String>) null);
                mounts.add(new VolumeMountBuilder().withName(STATE_VOLUME).withMountPath(ModprobeCommands.STATE_DIR)
                        .build());
                if (user == null || user.getReadinessProbe() == null) {
                    // Ready once the load step has loaded, not as soon as the container starts
                    b.withNewReadinessProbe().withNewExec().withCommand("/bin/sh", "-c",
                            "[ -e " + ModprobeCommands.LOADED_MARK + " ]").endExec().withPeriodSeconds(5)
                            .withFailureThreshold(1).endReadinessProbe();
                }
                if (user == null || user.getTerminationMessagePolicy() == null) {
                    // a failed load step's last lines (e.g. what to install) show in the pod's status
                    b.withTerminationMessagePolicy("FallbackToLogsOnError");
                }
            }
            if (!ownPreStop(user)) {
                Lifecycle lifecycle = user == null || user.getLifecycle() == null ? new Lifecycle()
                        : PodTemplates.copy(user.getLifecycle(), Lifecycle.class);
                lifecycle.setPreStop(new LifecycleHandlerBuilder().withNewExec()
                        .withCommand("/bin/sh", "-c", ModprobeCommands.unload(modprobe)).endExec().build());
                b.withLifecycle(lifecycle);
            }
            if (modprobe.getFirmwarePath() != null) {
                mounts.add(new VolumeMountBuilder().withName(FIRMWARE_VOLUME)
                        .withMountPath(ModprobeCommands.FIRMWARE_DIR).build());
            }
        }
        b.withVolumeMounts(mounts);
        b.withSecurityContext(loaderSecurityContext(user == null ? null : user.getSecurityContext()));
        return b.build();
    }

    /** The user set the loader's command (or args): kept as it is, and modprobe does not load. */
    public static boolean ownCommand(Container user) {
        return user != null && ((user.getCommand() != null && !user.getCommand().isEmpty())
                || (user.getArgs() != null && !user.getArgs().isEmpty()));
    }

    /** The user set the loader's preStop hook: kept as it is, and modprobe does not unload. */
    public static boolean ownPreStop(Container user) {
        return user != null && user.getLifecycle() != null && user.getLifecycle().getPreStop() != null;
    }

    /** A kernel mapping's own list, else the Module's. */
    static List<String> inTreeModulesToRemove(ModuleSpec spec, KernelResolution.Resolved kernel) {
        List<KernelMapping> mappings = spec.getKernelMappings();
        if (mappings != null && kernel.mappingIndex() < mappings.size()
                && mappings.get(kernel.mappingIndex()).getInTreeModulesToRemove() != null) {
            return mappings.get(kernel.mappingIndex()).getInTreeModulesToRemove();
        }
        return spec.getInTreeModulesToRemove();
    }

    /**
     * The user's security context (what it may set: user, group, read-only root; MappingValidation refuses the rest),
     * with every capability dropped but CAP_SYS_MODULE, no privilege escalation and the runtime's default seccomp
     * profile (which lets a process with CAP_SYS_MODULE load and unload modules).
     */
    static SecurityContext loaderSecurityContext(SecurityContext user) {
        SecurityContext sc = user == null ? new SecurityContext() : PodTemplates.copy(user, SecurityContext.class);
        sc.setCapabilities(new Capabilities(List.of("SYS_MODULE"), List.of("ALL")));
        sc.setAllowPrivilegeEscalation(false);
        if (sc.getSeccompProfile() == null) {
            sc.setSeccompProfile(new io.fabric8.kubernetes.api.model.SeccompProfile(null, "RuntimeDefault"));
        }
        return sc;
    }

    private static Volume hostPath(String name, String path, String type) {
        return new VolumeBuilder().withName(name).withNewHostPath().withPath(path).withType(type).endHostPath()
                .build();
    }
}
