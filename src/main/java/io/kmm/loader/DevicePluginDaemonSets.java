package io.kmm.loader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Module;
import io.kmm.kernel.SecurityPolicy;
import io.kmm.meta.Labels;
import io.kmm.meta.Names;

/**
 * The desired device-plugin DaemonSet of a Module: the user's devicePlugin container, privileged, with the
 * kubelet's device-plugin directory mounted, on the selected nodes whose kernel has a loader.
 */
public final class DevicePluginDaemonSets {

    public static final String CONTAINER_NAME = "device-plugin";
    static final String DEVICE_PLUGINS_VOLUME = "kmm-device-plugins";
    static final String DEVICE_PLUGINS_PATH = "/var/lib/kubelet/device-plugins";

    private DevicePluginDaemonSets() {
    }

    /**
     * The device plugin runs only where the module is loaded: on the selected nodes that carry the Module's
     * module-ready label ({@link Labels#moduleReady}), which the module-ready labeller sets while the node's loader pod
     * is Ready. So a device plugin never starts on a node where the driver is missing, and a kernel upgrade does not
     * change this DaemonSet.
     */
    public static DaemonSet desired(Module module) {
        return desired(module, SecurityPolicy.DEFAULT);
    }

    /** @param policy what the cluster admin allows (control-plane nodes) */
    public static DaemonSet desired(Module module, SecurityPolicy policy) {
        String moduleName = module.getMetadata().getName();
        Map<String, String> labels = Labels.of(moduleName, Labels.ROLE_DEVICE_PLUGIN);
        Map<String, String> nodeSelector = new LinkedHashMap<>();
        if (module.getSpec().getSelector() != null) {
            nodeSelector.putAll(module.getSpec().getSelector());
        }
        nodeSelector.put(Labels.moduleReady(module.getMetadata().getNamespace(), moduleName), Labels.READY_VALUE);
        String version = module.getSpec().getVersion();
        if (version != null) {
            // one DaemonSet per version, on the nodes whose device-plugin-version label (moved in order) names it
            labels.put(Labels.MODULE_VERSION, version);
            nodeSelector.put(Labels.moduleKey(module.getMetadata().getNamespace(), moduleName,
                    Labels.DEVICE_PLUGIN_VERSION_SUFFIX), version);
        }
        List<Volume> volumes = List.of(new VolumeBuilder().withName(DEVICE_PLUGINS_VOLUME)
                .withNewHostPath().withPath(DEVICE_PLUGINS_PATH).withType("DirectoryOrCreate").endHostPath().build());
        DaemonSet ds = PodTemplates.daemonSet(module, Names.devicePluginDaemonSet(moduleName, version), labels,
                container(module.getSpec().getDevicePlugin()), volumes, nodeSelector, PodTemplates.affinity(policy));
        return DesiredHash.stamp(ds);
    }

    static Container container(Container user) {
        List<VolumeMount> mounts = new ArrayList<>(user.getVolumeMounts() == null ? List.of() : user.getVolumeMounts());
        mounts.add(new VolumeMountBuilder().withName(DEVICE_PLUGINS_VOLUME).withMountPath(DEVICE_PLUGINS_PATH).build());
        SecurityContext sc = user.getSecurityContext() == null ? new SecurityContext()
                : PodTemplates.copy(user.getSecurityContext(), SecurityContext.class);
        sc.setPrivileged(true);
        return new ContainerBuilder(user).withName(CONTAINER_NAME).withVolumeMounts(mounts).withSecurityContext(sc)
                .build();
    }
}
