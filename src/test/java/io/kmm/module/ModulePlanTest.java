package io.kmm.module;

import static io.kmm.TestModules.literal;
import static io.kmm.TestModules.module;
import static io.kmm.TestModules.node;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;

class ModulePlanTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Map<String, String> SEL = Map.of("pool", "gpu");

    static Module sample() {
        return module("ns", "mod", SEL, literal("5.16.11-200.fc35.x86_64", "img:fedora"),
                regexp("gke$", "img:${KERNEL_FULL_VERSION}"));
    }

    static SelectedNodes nodes(String... kernels) {
        List<io.fabric8.kubernetes.api.model.Node> nodes = new ArrayList<>();
        for (int i = 0; i < kernels.length; i++) {
            nodes.add(node("n" + i, kernels[i], SEL));
        }
        return SelectedNodes.of(nodes);
    }

    /** Applies a plan the way the API server would, returning the DaemonSets that exist afterwards. */
    static List<DaemonSet> apply(ModulePlan plan, List<DaemonSet> existing) {
        List<DaemonSet> after = new ArrayList<>(existing);
        after.removeAll(plan.delete());
        plan.update().forEach(u -> {
            after.remove(u.actual());
            after.add(MAPPER.convertValue(u.desired(), DaemonSet.class));
        });
        plan.create().forEach(ds -> after.add(MAPPER.convertValue(ds, DaemonSet.class)));
        return after;
    }

    @Test
    void oneLoaderPerKernelAndNothingToDoTheSecondTime() {
        Module m = sample();
        SelectedNodes nodes = nodes("5.16.11-200.fc35.x86_64", "5.16.11-200.fc35.x86_64", "5.4.0-1054-gke");
        ModulePlan plan = ModulePlan.compute(m, nodes, List.of(), Labels.KERNEL_VERSION);
        assertThat(plan.create()).hasSize(2);
        assertThat(plan.create()).extracting(ds -> ds.getSpec().getTemplate().getSpec().getContainers().get(0)
                .getImage()).containsExactlyInAnyOrder("img:5.4.0-1054-gke", "img:fedora");
        assertThat(plan.update()).isEmpty();
        assertThat(plan.delete()).isEmpty();

        ModulePlan again = ModulePlan.compute(m, nodes, apply(plan, List.of()), Labels.KERNEL_VERSION);
        assertThat(again.isNoop()).isTrue();
    }

    @Test
    void kernelUpgradeCreatesTheNewLoaderAndDeletesTheUnusedOne() {
        Module m = sample();
        List<DaemonSet> existing = apply(ModulePlan.compute(m, nodes("5.4.0-1054-gke"), List.of(),
                Labels.KERNEL_VERSION), List.of());
        ModulePlan upgrade = ModulePlan.compute(m, nodes("5.4.0-2000-gke"), existing, Labels.KERNEL_VERSION);
        assertThat(upgrade.create()).singleElement().satisfies(ds -> assertThat(ds.getMetadata().getAnnotations())
                .containsEntry(Labels.KERNEL_VERSION_ANNOTATION, "5.4.0-2000-gke"));
        assertThat(upgrade.delete()).singleElement().satisfies(ds -> assertThat(ds.getMetadata().getAnnotations())
                .containsEntry(Labels.KERNEL_VERSION_ANNOTATION, "5.4.0-1054-gke"));
    }

    @Test
    void imageChangeUpdatesOnlyThatKernelsLoader() {
        Module m = sample();
        SelectedNodes nodes = nodes("5.16.11-200.fc35.x86_64", "5.4.0-1054-gke");
        List<DaemonSet> existing = apply(ModulePlan.compute(m, nodes, List.of(), Labels.KERNEL_VERSION), List.of());
        m.getSpec().getKernelMappings().get(0).setContainerImage("img:fedora-v2");
        ModulePlan plan = ModulePlan.compute(m, nodes, existing, Labels.KERNEL_VERSION);
        assertThat(plan.update()).singleElement().satisfies(u -> assertThat(u.desired().getSpec().getTemplate()
                .getSpec().getContainers().get(0).getImage()).isEqualTo("img:fedora-v2"));
        assertThat(plan.create()).isEmpty();
        assertThat(plan.delete()).isEmpty();
    }

    @Test
    void anInvalidMappingKeepsTheRunningLoaderUntouched() {
        Module m = sample();
        SelectedNodes nodes = nodes("5.4.0-1054-gke", "5.16.11-200.fc35.x86_64");
        List<DaemonSet> existing = apply(ModulePlan.compute(m, nodes, List.of(), Labels.KERNEL_VERSION), List.of());
        m.getSpec().getKernelMappings().get(1).setRegexp("gke($");
        ModulePlan plan = ModulePlan.compute(m, nodes, existing, Labels.KERNEL_VERSION);
        assertThat(plan.isNoop()).isTrue();
        assertThat(plan.loaderNames()).containsKey("5.4.0-1054-gke");
    }

    @Test
    void unmatchedKernelsGetNoLoader() {
        ModulePlan plan = ModulePlan.compute(sample(), nodes("6.0.0-rhel"), List.of(), Labels.KERNEL_VERSION);
        assertThat(plan.create()).isEmpty();
        assertThat(plan.resolutions()).containsOnlyKeys("6.0.0-rhel");
    }

    @Test
    void devicePluginFollowsTheFieldAndTheLoadedKernels() {
        Module m = sample();
        m.getSpec().setDevicePlugin(new ContainerBuilder().withName("dp").withImage("dp:1").build());
        SelectedNodes nodes = nodes("5.4.0-1054-gke");
        ModulePlan plan = ModulePlan.compute(m, nodes, List.of(), Labels.KERNEL_VERSION);
        assertThat(plan.devicePluginName()).isEqualTo("mod-device-plugin");
        assertThat(plan.create()).hasSize(2);
        List<DaemonSet> existing = apply(plan, List.of());

        m.getSpec().setDevicePlugin(null);
        ModulePlan removed = ModulePlan.compute(m, nodes, existing, Labels.KERNEL_VERSION);
        assertThat(removed.delete()).singleElement()
                .satisfies(ds -> assertThat(ds.getMetadata().getName()).isEqualTo("mod-device-plugin"));
    }

    @Test
    void aForbiddenHostPathHoldsEveryDaemonSetAsItIs() {
        Module m = sample();
        m.getSpec().setDevicePlugin(new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("dp")
                .withImage("dp:1").build());
        SelectedNodes nodes = nodes("5.4.0-1054-gke");
        List<DaemonSet> existing = apply(ModulePlan.compute(m, nodes, List.of(), Labels.KERNEL_VERSION), List.of());
        assertThat(existing).hasSize(2); // loader + device plugin

        // The Module now mounts /etc and changes its image: nothing is written, nothing deleted.
        m.getSpec().setAdditionalVolumes(List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("etc")
                .withNewHostPath().withPath("/etc").endHostPath().build()));
        m.getSpec().getKernelMappings().get(1).setContainerImage("img:v2-${KERNEL_FULL_VERSION}");
        ModulePlan held = ModulePlan.compute(m, nodes, existing, Labels.KERNEL_VERSION);
        assertThat(held.isNoop()).isTrue();
        assertThat(held.podsBlocked()).isTrue();
        assertThat(held.devicePluginName()).isNotNull();

        // Nothing existed yet: nothing is created.
        assertThat(ModulePlan.compute(m, nodes, List.of(), Labels.KERNEL_VERSION).isNoop()).isTrue();
    }

    @Test
    void warningsSayWhatWorksButProbablyNotAsIntended() {
        Module m = sample(); // its loader has its own preStop hook
        ModulePlan plan = ModulePlan.compute(m, nodes("5.16.11-200.fc35.x86_64", "5.4.0-1054-gke"), List.of(),
                Labels.KERNEL_VERSION);
        // "img:fedora" and "img:${KERNEL_FULL_VERSION}" name tags: no warning
        assertThat(plan.warnings()).isEmpty();

        m.getSpec().getKernelMappings().get(0).setContainerImage("registry.example.com/drivers/img");
        m.getSpec().getModuleLoader().setLifecycle(null);
        plan = ModulePlan.compute(m, nodes("5.16.11-200.fc35.x86_64"), List.of(), Labels.KERNEL_VERSION);
        assertThat(plan.warnings()).extracting(io.kmm.status.Warning::reason).containsExactly(
                io.kmm.status.Reason.MISSING_PRE_STOP, io.kmm.status.Reason.IMAGE_WITHOUT_TAG);
        assertThat(plan.warnings().get(1).message()).startsWith("spec.kernelMappings[0].containerImage: "
                + "\"registry.example.com/drivers/img\" has no tag or digest");

        // modprobe unloads: no MissingPreStop; the user's own command and hook win, and that is said
        io.kmm.api.v1alpha1.Modprobe modprobe = new io.kmm.api.v1alpha1.Modprobe();
        modprobe.setModuleName("mod");
        m.getSpec().setModprobe(modprobe);
        m.getSpec().getKernelMappings().get(0).setContainerImage("img:fedora");
        plan = ModulePlan.compute(m, nodes("5.16.11-200.fc35.x86_64"), List.of(), Labels.KERNEL_VERSION);
        assertThat(plan.warnings()).isEmpty();
        m.getSpec().getModuleLoader().setCommand(List.of("/load"));
        m.getSpec().getModuleLoader().setLifecycle(new io.fabric8.kubernetes.api.model.LifecycleBuilder()
                .withNewPreStop().withNewExec().withCommand("/unload").endExec().endPreStop().build());
        plan = ModulePlan.compute(m, nodes("5.16.11-200.fc35.x86_64"), List.of(), Labels.KERNEL_VERSION);
        assertThat(plan.warnings()).extracting(io.kmm.status.Warning::message).containsExactly(
                "spec.moduleLoader.command is set, so it is used as it is and spec.modprobe does not load the "
                        + "module; remove it to let the operator load it",
                "spec.moduleLoader.lifecycle.preStop is set, so it is used as it is and spec.modprobe does not "
                        + "unload the module; remove it to let the operator unload it");
    }
}
