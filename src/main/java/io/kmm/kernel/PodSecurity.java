package io.kmm.kernel;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.kmm.api.v1alpha1.ModuleSpec;
import io.kmm.status.Reason;

/**
 * What a Module may ask of its pods: loading a kernel module, nothing more (docs/security.md). A loader gets
 * CAP_SYS_MODULE and the runtime's default seccomp profile, never privileged or other capabilities; host directories
 * only from the allow-list and read-only; KMM's own volumes are KMM's; tolerations name a taint, and only the admin
 * lets Modules tolerate everything or reach control-plane nodes ({@link SecurityPolicy}). Pure.
 */
public final class PodSecurity {

    /** KMM's own volumes in loader and device-plugin pods are named so; a Module's may not be. */
    public static final String RESERVED_VOLUME_PREFIX = "kmm-";
    private static final Set<String> SYS_MODULE = Set.of("SYS_MODULE", "CAP_SYS_MODULE");

    private PodSecurity() {
    }

    static void problems(ModuleSpec spec, SecurityPolicy policy, List<MappingValidation.Problem> problems) {
        Set<String> hostPathVolumes = new HashSet<>();
        List<Volume> volumes = spec.getAdditionalVolumes() == null ? List.of() : spec.getAdditionalVolumes();
        for (int i = 0; i < volumes.size(); i++) {
            Volume volume = volumes.get(i);
            if (volume == null) {
                continue;
            }
            String field = "spec.additionalVolumes[" + i + "]";
            if (volume.getName() != null && volume.getName().startsWith(RESERVED_VOLUME_PREFIX)) {
                problems.add(volumeProblem(field + ".name", "\"" + volume.getName() + "\": names starting with \""
                        + RESERVED_VOLUME_PREFIX + "\" are KMM's own volumes"));
            }
            if (volume.getHostPath() != null) {
                hostPathVolumes.add(volume.getName());
                HostPaths.problem(volume.getHostPath().getPath(), policy.extraHostPaths())
                        .ifPresent(m -> problems.add(volumeProblem(field + ".hostPath.path", m)));
                HostPaths.typeProblem(volume.getHostPath().getType())
                        .ifPresent(m -> problems.add(volumeProblem(field + ".hostPath.type", m)));
            }
        }
        if (spec.getModuleLoader() != null) {
            loader(spec.getModuleLoader(), problems);
            mounts("spec.moduleLoader", spec.getModuleLoader(), hostPathVolumes, problems);
        }
        if (spec.getDevicePlugin() != null) {
            mounts("spec.devicePlugin", spec.getDevicePlugin(), hostPathVolumes, problems);
        }
        tolerations(spec.getTolerations(), policy, problems);
    }

    private static void loader(Container c, List<MappingValidation.Problem> problems) {
        String field = "spec.moduleLoader";
        SecurityContext sc = c.getSecurityContext();
        if (sc != null) {
            String f = field + ".securityContext";
            if (Boolean.TRUE.equals(sc.getPrivileged())) {
                problems.add(problem(f + ".privileged", "a loader is not privileged: it gets CAP_SYS_MODULE, which "
                        + "loading a module needs, and nothing more"));
            }
            if (Boolean.TRUE.equals(sc.getAllowPrivilegeEscalation())) {
                problems.add(problem(f + ".allowPrivilegeEscalation", "must not be true: a loader gains no privileges "
                        + "beyond CAP_SYS_MODULE"));
            }
            if (sc.getCapabilities() != null && sc.getCapabilities().getAdd() != null) {
                for (String cap : sc.getCapabilities().getAdd()) {
                    if (cap == null || !SYS_MODULE.contains(cap.toUpperCase(Locale.ROOT))) {
                        problems.add(problem(f + ".capabilities.add", "\"" + cap + "\" is not allowed: a loader gets "
                                + "CAP_SYS_MODULE only (KMM adds it)"));
                    }
                }
            }
            if (sc.getSeccompProfile() != null && "Unconfined".equals(sc.getSeccompProfile().getType())) {
                problems.add(problem(f + ".seccompProfile.type", "Unconfined is not allowed: KMM runs loaders with "
                        + "the runtime's default profile"));
            }
            if (sc.getAppArmorProfile() != null && "Unconfined".equals(sc.getAppArmorProfile().getType())) {
                problems.add(problem(f + ".appArmorProfile.type", "Unconfined is not allowed"));
            }
            if (sc.getSeLinuxOptions() != null && sc.getSeLinuxOptions().getType() != null) {
                problems.add(problem(f + ".seLinuxOptions.type", "a loader keeps the runtime's SELinux type"));
            }
            if ("Unmasked".equals(sc.getProcMount())) {
                problems.add(problem(f + ".procMount", "Unmasked is not allowed"));
            }
            if (sc.getWindowsOptions() != null && Boolean.TRUE.equals(sc.getWindowsOptions().getHostProcess())) {
                problems.add(problem(f + ".windowsOptions.hostProcess", "not allowed"));
            }
        }
        if (c.getPorts() != null) {
            for (ContainerPort p : c.getPorts()) {
                if (p != null && p.getHostPort() != null && p.getHostPort() > 0) {
                    problems.add(problem(field + ".ports", "hostPort " + p.getHostPort() + " is not allowed: a loader "
                            + "opens no port on the node"));
                }
            }
        }
    }

    private static void mounts(String field, Container c, Set<String> hostPathVolumes,
            List<MappingValidation.Problem> problems) {
        List<VolumeMount> mounts = c.getVolumeMounts() == null ? List.of() : c.getVolumeMounts();
        for (int i = 0; i < mounts.size(); i++) {
            VolumeMount m = mounts.get(i);
            if (m == null || m.getName() == null) {
                continue;
            }
            String f = field + ".volumeMounts[" + i + "]";
            if (m.getName().startsWith(RESERVED_VOLUME_PREFIX)) {
                problems.add(problem(f + ".name", "\"" + m.getName() + "\" is KMM's own volume: KMM mounts it "
                        + "(read-only where it may) itself"));
            } else if (hostPathVolumes.contains(m.getName()) && !Boolean.TRUE.equals(m.getReadOnly())) {
                problems.add(problem(f + ".readOnly", "the hostPath volume \"" + m.getName() + "\" must be mounted "
                        + "readOnly: true"));
            }
            if ("Bidirectional".equals(m.getMountPropagation())) {
                problems.add(problem(f + ".mountPropagation", "Bidirectional is not allowed"));
            }
        }
    }

    private static void tolerations(List<Toleration> tolerations, SecurityPolicy policy,
            List<MappingValidation.Problem> problems) {
        if (tolerations == null) {
            return;
        }
        for (int i = 0; i < tolerations.size(); i++) {
            Toleration t = tolerations.get(i);
            if (t == null) {
                continue;
            }
            String field = "spec.tolerations[" + i + "]";
            boolean keyless = t.getKey() == null || t.getKey().isEmpty();
            if (keyless && "Exists".equals(t.getOperator()) && !policy.broadTolerations()) {
                problems.add(problem(field, "a toleration without a key tolerates every taint, which only the cluster "
                        + "admin can allow (kmm.security.broad-tolerations): name the taint's key"));
            }
            if (!keyless && SecurityPolicy.CONTROL_PLANE_LABELS.contains(t.getKey()) && !policy.controlPlaneNodes()) {
                problems.add(problem(field + ".key", "\"" + t.getKey() + "\": KMM does not run loaders on "
                        + "control-plane nodes unless the cluster admin allows it (kmm.security.control-plane-nodes)"));
            }
        }
    }

    private static MappingValidation.Problem problem(String field, String message) {
        return new MappingValidation.Problem(field, message, Reason.INVALID_MODULE);
    }

    private static MappingValidation.Problem volumeProblem(String field, String message) {
        return new MappingValidation.Problem(field, message, Reason.INVALID_VOLUME);
    }
}
