package io.kmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.kmm.api.v1alpha1.KernelMapping;
import io.kmm.api.v1alpha1.Modprobe;
import io.kmm.api.v1alpha1.ModprobeArgs;
import io.kmm.api.v1alpha1.ModuleSpec;
import io.kmm.status.Reason;

/** Tolerations and modprobe settings: what the operator reports, and that it holds every DaemonSet back. */
class ModuleChecksTest {

    static ModuleSpec spec() {
        ModuleSpec spec = new ModuleSpec();
        spec.setModuleLoader(new ContainerBuilder().withName("l").withImage("i").build());
        KernelMapping m = new KernelMapping();
        m.setRegexp(".*");
        m.setContainerImage("reg/mod:${KERNEL_VERSION}");
        spec.setKernelMappings(List.of(m));
        return spec;
    }

    @Test
    void kernelVersionIsAnImageVariable() {
        var r = new KernelMapper("m", "ns", spec()).resolve("6.1.0-13-amd64");
        assertThat(r).isInstanceOfSatisfying(KernelResolution.Resolved.class,
                k -> assertThat(k.image()).isEqualTo("reg/mod:6.1.0-13-amd64"));
    }

    @Test
    void tolerationsFollowKubernetesRules() {
        ModuleSpec spec = spec();
        spec.setTolerations(List.of(
                new TolerationBuilder().withKey("gpu").withOperator("Exists").withEffect("NoSchedule").build(),
                new TolerationBuilder().withKey("gpu").withOperator("Equals").build(),
                new TolerationBuilder().withKey("gpu").withOperator("Exists").withValue("yes").build(),
                new TolerationBuilder().withOperator("Equal").withValue("x").build(),
                new TolerationBuilder().withKey("gpu").withValue("x").withEffect("NoRun").build(),
                new TolerationBuilder().withKey("gpu").withOperator("Exists").withTolerationSeconds(30L).build()));
        var result = MappingValidation.validate(spec);
        assertThat(result.problems()).extracting(MappingValidation.Problem::toString).containsExactly(
                "spec.tolerations[1].operator: \"Equals\" is not a toleration operator: use Exists or Equal",
                "spec.tolerations[2].value: must be empty with operator Exists",
                "spec.tolerations[3].operator: a toleration without a key must use operator Exists (it then "
                        + "tolerates every taint)",
                "spec.tolerations[4].effect: \"NoRun\" is not a taint effect: use NoSchedule, PreferNoSchedule or "
                        + "NoExecute (or leave it empty for all)",
                "spec.tolerations[5].tolerationSeconds: only applies to effect NoExecute");
        assertThat(result.problems()).allSatisfy(p -> assertThat(p.reason()).isEqualTo(Reason.INVALID_MODULE));
        assertThat(result.podsBlocked()).isTrue();
    }

    @Test
    void modprobeSettingsAreChecked() {
        ModuleSpec spec = spec();
        Modprobe m = new Modprobe();
        spec.setModprobe(m);
        assertThat(MappingValidation.problems(spec)).extracting(MappingValidation.Problem::toString)
                .containsExactly("spec.modprobe: set moduleName, or both rawArgs.load and rawArgs.unload");
        m.setRawArgs(new ModprobeArgs(List.of("x"), List.of("-r", "x")));
        assertThat(MappingValidation.problems(spec)).isEmpty();

        m.setModuleName("a");
        m.setModulesLoadingOrder(List.of("b", "a", "b", "bad name"));
        m.setFirmwarePath("firmware");
        spec.setInTreeModulesToRemove(List.of("ok_mod", "$(x)"));
        var result = MappingValidation.validate(spec);
        assertThat(result.problems()).extracting(MappingValidation.Problem::toString).containsExactly(
                "spec.inTreeModulesToRemove: \"$(x)\" is not a kernel module name (letters, digits, '_' and '-')",
                "spec.modprobe.modulesLoadingOrder: starts with moduleName (\"a\"), not \"b\"",
                "spec.modprobe.modulesLoadingOrder: \"b\" is listed twice",
                "spec.modprobe.modulesLoadingOrder: \"bad name\" is not a kernel module name (letters, digits, '_' "
                        + "and '-')",
                "spec.modprobe.firmwarePath: \"firmware\" is not an absolute path");
        assertThat(result.podsBlocked()).isTrue();
    }
}
