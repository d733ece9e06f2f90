package io.kmm.loader;

import static io.kmm.TestModules.literal;
import static io.kmm.TestModules.module;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Module;
import io.kmm.kernel.KernelResolution;
import io.kmm.meta.Labels;

class ModuleLoaderDaemonSetsTest {

    static final KernelResolution.Resolved KERNEL = new KernelResolution.Resolved("6.8.0-rc1+",
            io.kmm.meta.LabelValues.normalise("6.8.0-rc1+"), 0, "quay.io/vendor/mod:6.8.0", null);

    static Module sample() {
        Module m = module("drivers", "mod", Map.of("feature/vmx", "true"), literal("6.8.0-rc1+", "img"));
        m.getSpec().setServiceAccountName("loader-sa");
        m.getSpec().setImageRepoSecret(new LocalObjectReference("pull-secret"));
        m.getSpec().setTolerations(List.of(new TolerationBuilder().withKey("gpu").withOperator("Exists").build()));
        m.getSpec().setAdditionalVolumes(List.of(new VolumeBuilder().withName("firmware").withNewConfigMap()
                .withName("fw").endConfigMap().build()));
        return m;
    }

    @Test
    void loaderDaemonSetHasLabelsSelectorsAndOwner() {
        DaemonSet ds = ModuleLoaderDaemonSets.desired(sample(), KERNEL, Labels.KERNEL_VERSION);
        assertThat(ds.getMetadata().getNamespace()).isEqualTo("drivers");
        assertThat(ds.getMetadata().getName()).hasSizeLessThanOrEqualTo(63).startsWith("mod-6-8-0-rc1-");
        assertThat(ds.getMetadata().getLabels()).containsEntry(Labels.MODULE_NAME, "mod")
                .containsEntry(Labels.KERNEL_VERSION, KERNEL.kernelLabel())
                .containsEntry(Labels.ROLE, Labels.ROLE_MODULE_LOADER)
                .containsEntry(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
        assertThat(ds.getMetadata().getAnnotations()).containsEntry(Labels.KERNEL_VERSION_ANNOTATION, "6.8.0-rc1+")
                .containsKey(Labels.DESIRED_HASH_ANNOTATION);
        assertThat(ds.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("Module");
            assertThat(o.getApiVersion()).isEqualTo("ooto.sigs.k8s.io/v1alpha1");
            assertThat(o.getUid()).isEqualTo("mod-uid");
            assertThat(o.getController()).isTrue();
            assertThat(o.getBlockOwnerDeletion()).isNull();
        });
        assertThat(ds.getSpec().getSelector().getMatchLabels()).isEqualTo(ds.getMetadata().getLabels());
        assertThat(ds.getSpec().getTemplate().getMetadata().getLabels()).isEqualTo(ds.getMetadata().getLabels());
        assertThat(ds.getSpec().getTemplate().getSpec().getNodeSelector()).containsExactlyInAnyOrderEntriesOf(
                Map.of("feature/vmx", "true", Labels.KERNEL_VERSION, KERNEL.kernelLabel()));
    }

    @Test
    void loaderPodRunsTheUserContainerWithTheKernelImageAndOnlySysModule() {
        PodSpec pod = ModuleLoaderDaemonSets.desired(sample(), KERNEL, Labels.KERNEL_VERSION).getSpec().getTemplate()
                .getSpec();
        Container c = pod.getContainers().get(0);
        assertThat(pod.getContainers()).hasSize(1);
        assertThat(c.getName()).isEqualTo("module-loader");
        assertThat(c.getImage()).isEqualTo("quay.io/vendor/mod:6.8.0");
        assertThat(c.getSecurityContext().getPrivileged()).isNull();
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).containsExactly("SYS_MODULE");
        assertThat(c.getLifecycle().getPreStop().getExec().getCommand()).containsExactly("modprobe", "-r", "sample");
        assertThat(c.getVolumeMounts()).extracting(VolumeMount::getMountPath)
                .containsExactly("/lib/modules", "/usr/lib/modules");
        assertThat(c.getVolumeMounts()).allMatch(VolumeMount::getReadOnly);
        assertThat(pod.getVolumes()).extracting(v -> v.getName())
                .containsExactly("kmm-lib-modules", "kmm-usr-lib-modules", "firmware");
        assertThat(pod.getVolumes().get(0).getHostPath().getPath()).isEqualTo("/lib/modules");
        assertThat(pod.getServiceAccountName()).isEqualTo("loader-sa");
        assertThat(pod.getImagePullSecrets()).extracting(LocalObjectReference::getName).containsExactly("pull-secret");
        assertThat(pod.getTolerations()).extracting(t -> t.getKey()).containsExactly("gpu");
    }

    @Test
    void theLoaderGetsCapSysModuleAndNothingMoreAndTheModuleIsNotModified() {
        Module m = sample();
        m.getSpec().getModuleLoader().setSecurityContext(new SecurityContextBuilder().withRunAsUser(0L)
                .withCapabilities(new Capabilities(List.of("SYS_MODULE", "SYS_ADMIN"), List.of("NET_RAW"))).build());
        Container c = ModuleLoaderDaemonSets.desired(m, KERNEL, Labels.KERNEL_VERSION).getSpec().getTemplate()
                .getSpec().getContainers().get(0);
        // (MappingValidation refuses SYS_ADMIN; whatever reaches here, the loader gets SYS_MODULE only)
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).containsExactly("SYS_MODULE");
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(c.getSecurityContext().getRunAsUser()).isZero();
        assertThat(m.getSpec().getModuleLoader().getName()).isEqualTo("ignored");
        assertThat(m.getSpec().getModuleLoader().getVolumeMounts()).isNullOrEmpty();
        assertThat(m.getSpec().getModuleLoader().getSecurityContext().getCapabilities().getAdd())
                .containsExactly("SYS_MODULE", "SYS_ADMIN");
    }

    @Test
    void controlPlaneNodesAreLeftOutUnlessTheAdminAllowsThem() {
        PodSpec pod = ModuleLoaderDaemonSets.desired(sample(), KERNEL, Labels.KERNEL_VERSION).getSpec().getTemplate()
                .getSpec();
        assertThat(pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms()).singleElement().satisfies(t -> assertThat(t.getMatchExpressions())
                        .extracting(e -> e.getKey() + " " + e.getOperator()).containsExactly(
                                "node-role.kubernetes.io/control-plane DoesNotExist",
                                "node-role.kubernetes.io/master DoesNotExist"));
        io.kmm.kernel.SecurityPolicy allowed = new io.kmm.kernel.SecurityPolicy(List.of("*"), true, false,
                List.of(), null);
        assertThat(ModuleLoaderDaemonSets.desired(sample(), KERNEL, Labels.KERNEL_VERSION, null, allowed).getSpec()
                .getTemplate().getSpec().getAffinity()).isNull();
    }

    @Test
    void loadersAndDevicePluginsAreNodeCriticalAndRollOneNodeAtATimeWithoutSurge() {
        Module m = sample();
        m.getSpec().setDevicePlugin(new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("x")
                .withImage("quay.io/vendor/dp:1").build());
        for (DaemonSet ds : List.of(ModuleLoaderDaemonSets.desired(m, KERNEL, Labels.KERNEL_VERSION),
                DevicePluginDaemonSets.desired(m))) {
            assertThat(ds.getSpec().getTemplate().getSpec().getPriorityClassName()).isEqualTo("system-node-critical");
            var strategy = ds.getSpec().getUpdateStrategy();
            assertThat(strategy.getType()).isEqualTo("RollingUpdate");
            // never two loaders on one node: the old one's preStop would unload what the new one loaded
            assertThat(strategy.getRollingUpdate().getMaxSurge().getIntVal()).isZero();
            assertThat(strategy.getRollingUpdate().getMaxUnavailable().getIntVal()).isEqualTo(1);
        }
    }

    @Test
    void nfdModeSelectsByTheNfdLabel() {
        DaemonSet ds = ModuleLoaderDaemonSets.desired(sample(), KERNEL, Labels.NFD_KERNEL_VERSION);
        assertThat(ds.getSpec().getTemplate().getSpec().getNodeSelector()).containsKey(Labels.NFD_KERNEL_VERSION)
                .doesNotContainKey(Labels.KERNEL_VERSION);
    }

    @Test
    void devicePluginIsPrivilegedWithTheKubeletDirectoryWhereTheModuleIsLoaded() {
        Module m = sample();
        m.getSpec().setDevicePlugin(new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("x")
                .withImage("quay.io/vendor/dp:1").build());
        DaemonSet ds = DevicePluginDaemonSets.desired(m);
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        assertThat(ds.getMetadata().getName()).isEqualTo("mod-device-plugin");
        assertThat(ds.getMetadata().getLabels()).containsEntry(Labels.ROLE, Labels.ROLE_DEVICE_PLUGIN);
        assertThat(pod.getContainers().get(0).getName()).isEqualTo("device-plugin");
        assertThat(pod.getContainers().get(0).getSecurityContext().getPrivileged()).isTrue();
        assertThat(pod.getContainers().get(0).getVolumeMounts()).extracting(VolumeMount::getMountPath)
                .containsExactly("/var/lib/kubelet/device-plugins");
        assertThat(pod.getVolumes()).extracting(v -> v.getName()).containsExactly("kmm-device-plugins", "firmware");
        // the selected nodes where the module is loaded: the module-ready label, whatever their kernel
        assertThat(pod.getNodeSelector()).containsExactly(Map.entry("feature/vmx", "true"),
                Map.entry("ooto.sigs.k8s.io/drivers.mod.ready", "true"));
        assertThat(pod.getAffinity().getNodeAffinity()).isNotNull(); // no control-plane nodes
    }

    @Test
    void desiredContentIsDeterministic() {
        assertThat(ModuleLoaderDaemonSets.desired(sample(), KERNEL, Labels.KERNEL_VERSION))
                .isEqualTo(ModuleLoaderDaemonSets.desired(sample(), KERNEL, Labels.KERNEL_VERSION));
    }

    /**
     * A Module as the API server stored it (uid, resourceVersion) gets the same desired DaemonSet per kernel every
     * reconcile, built once; a new resourceVersion, another kernel or a Module only in memory gets its own.
     */
    @Test
    void theDesiredDaemonSetOfAStoredModuleIsBuiltOnce() {
        Module m = sample();
        m.getMetadata().setResourceVersion("7");
        DaemonSet first = ModuleLoaderDaemonSets.desired(m, KERNEL, Labels.KERNEL_VERSION);
        assertThat(ModuleLoaderDaemonSets.desired(sample7(), KERNEL, Labels.KERNEL_VERSION)).isSameAs(first);
        Module changed = sample7();
        changed.getMetadata().setResourceVersion("8");
        changed.getSpec().setTolerations(null);
        DaemonSet second = ModuleLoaderDaemonSets.desired(changed, KERNEL, Labels.KERNEL_VERSION);
        assertThat(second).isNotSameAs(first);
        assertThat(second.getSpec().getTemplate().getSpec().getTolerations()).isNullOrEmpty();
        assertThat(first.getSpec().getTemplate().getSpec().getTolerations()).isNotEmpty();
        assertThat(ModuleLoaderDaemonSets.desired(sample(), KERNEL, Labels.KERNEL_VERSION)).isNotSameAs(
                ModuleLoaderDaemonSets.desired(sample(), KERNEL, Labels.KERNEL_VERSION));
    }

    private static Module sample7() {
        Module m = sample();
        m.getMetadata().setResourceVersion("7");
        return m;
    }
}
