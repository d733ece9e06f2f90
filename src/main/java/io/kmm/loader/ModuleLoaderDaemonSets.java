package io.kmm.loader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Module;
import io.kmm.kernel.KernelResolution;
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

    private ModuleLoaderDaemonSets() {
    }

    /**
     * @param kernelLabelKey the node label that carries the kernel ({@link Labels#KERNEL_VERSION} or NFD's)
     */
    public static DaemonSet desired(Module module, KernelResolution.Resolved kernel, String kernelLabelKey) {
        String moduleName = module.getMetadata().getName();
        Map<String, String> labels = Labels.of(moduleName, Labels.ROLE_MODULE_LOADER, kernel.kernelLabel());

        Map<String, String> nodeSelector = new LinkedHashMap<>();
        if (module.getSpec().getSelector() != null) {
            nodeSelector.putAll(module.getSpec().getSelector());
        }
        nodeSelector.put(kernelLabelKey, kernel.kernelLabel());

        List<Volume> volumes = new ArrayList<>();
        volumes.add(hostPath(LIB_MODULES_VOLUME, "/lib/modules", "Directory"));
        volumes.add(hostPath(USR_LIB_MODULES_VOLUME, "/usr/lib/modules", null));

        DaemonSet ds = PodTemplates.daemonSet(module, Names.loaderDaemonSet(moduleName, kernel.kernel()), labels,
                loaderContainer(module.getSpec().getModuleLoader(), kernel.image()), volumes, nodeSelector, null);
        ds.getMetadata().getAnnotations().put(Labels.KERNEL_VERSION_ANNOTATION, kernel.kernel());
        return DesiredHash.stamp(ds);
    }

    static Container loaderContainer(Container user, String image) {
        ContainerBuilder b = new ContainerBuilder(user == null ? new Container() : user)
                .withName(CONTAINER_NAME)
                .withImage(image);
        List<VolumeMount> mounts = new ArrayList<>(user == null || user.getVolumeMounts() == null
                ? List.of() : user.getVolumeMounts());
        mounts.add(new VolumeMountBuilder().withName(LIB_MODULES_VOLUME).withMountPath("/lib/modules")
                .withReadOnly(true).build());
        mounts.add(new VolumeMountBuilder().withName(USR_LIB_MODULES_VOLUME).withMountPath("/usr/lib/modules")
                .withReadOnly(true).build());
        b.withVolumeMounts(mounts);
        b.withSecurityContext(loaderSecurityContext(user == null ? null : user.getSecurityContext()));
        return b.build();
    }

    /** The user's security context, with CAP_SYS_MODULE as the only added capability unless they set capabilities. */
    static SecurityContext loaderSecurityContext(SecurityContext user) {
        SecurityContext sc = user == null ? new SecurityContext() : PodTemplates.copy(user, SecurityContext.class);
        if (sc.getCapabilities() == null) {
            sc.setCapabilities(new Capabilities(List.of("SYS_MODULE"), null));
        }
        return sc;
    }

    private static Volume hostPath(String name, String path, String type) {
        return new VolumeBuilder().withName(name).withNewHostPath().withPath(path).withType(type).endHostPath()
                .build();
    }
}
