package io.kmm.loader;

import static io.kmm.TestModules.literal;
import static io.kmm.TestModules.module;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Modprobe;
import io.kmm.api.v1alpha1.ModprobeArgs;
import io.kmm.api.v1alpha1.Module;
import io.kmm.kernel.KernelResolution;
import io.kmm.meta.Labels;

/** The generated load and unload steps, for every combination of the modprobe fields. */
class ModprobeCommandsTest {

    static Modprobe modprobe(String name) {
        Modprobe m = new Modprobe();
        m.setModuleName(name);
        return m;
    }

    @Test
    void plainLoadAndUnload() {
        Modprobe m = modprobe("my_mod");
        assertThat(ModprobeCommands.load(m, null).lines()).containsExactly("set -e",
                "modprobe '-v' '-d' '/opt' 'my_mod'", "trap 'exit 0' TERM INT",
                "while true; do sleep 3600 & wait $!; done");
        assertThat(ModprobeCommands.unload(m).lines()).containsExactly("set -e",
                "modprobe '-r' '-v' '-d' '/opt' 'my_mod'");
    }

    @Test
    void parametersDirArgsInTreeAndFirmware() {
        Modprobe m = modprobe("my_mod");
        m.setParameters(List.of("debug=1", "name=it's"));
        m.setDirName("/usr/share/kmm");
        m.setArgs(new ModprobeArgs(List.of("--first-time"), List.of("-q")));
        m.setFirmwarePath("/firmware");
        assertThat(ModprobeCommands.load(m, List.of("old_mod")).lines()).containsExactly("set -e",
                "modprobe '-r' '-v' 'old_mod'",
                "mkdir -p '/var/lib/firmware'",
                "cp -r '/firmware/.' '/var/lib/firmware/'",
                "modprobe '--first-time' '-d' '/usr/share/kmm' 'my_mod' 'debug=1' 'name=it'\\''s'",
                "trap 'exit 0' TERM INT", "while true; do sleep 3600 & wait $!; done");
        assertThat(ModprobeCommands.unload(m).lines()).containsExactly("set -e",
                "modprobe '-r' '-q' '-d' '/usr/share/kmm' 'my_mod'",
                "cd '/firmware' && find . -type f | while read -r f; do rm -f '/var/lib/firmware/'\"$f\"; done");
    }

    @Test
    void loadingOrderLoadsInOrderAndUnloadsInReverse() {
        Modprobe m = modprobe("a");
        m.setParameters(List.of("p=1"));
        m.setModulesLoadingOrder(List.of("a", "b", "c"));
        assertThat(ModprobeCommands.load(m, null).lines()).containsSubsequence(
                "modprobe '-v' '-d' '/opt' 'a' 'p=1'", "modprobe '-v' '-d' '/opt' 'b'", "modprobe '-v' '-d' '/opt' 'c'");
        assertThat(ModprobeCommands.unload(m).lines()).containsSubsequence(
                "modprobe '-r' '-v' '-d' '/opt' 'c'", "modprobe '-r' '-v' '-d' '/opt' 'b'",
                "modprobe '-r' '-v' '-d' '/opt' 'a'");
    }

    @Test
    void rawArgsReplaceTheModprobeCall() {
        Modprobe m = new Modprobe();
        m.setRawArgs(new ModprobeArgs(List.of("-d", "/x", "foo", "bar=1"), List.of("-r", "foo")));
        assertThat(ModprobeCommands.load(m, null)).contains("modprobe '-d' '/x' 'foo' 'bar=1'")
                .doesNotContain("'/opt'");
        assertThat(ModprobeCommands.unload(m).lines()).containsExactly("set -e", "modprobe '-r' 'foo'");
    }

    @Test
    void nothingFromTheModuleIsInterpretedByTheShell() {
        Modprobe m = modprobe("x");
        m.setParameters(List.of("$(reboot)", "`id`; rm -rf /"));
        String load = ModprobeCommands.load(m, List.of("a'b"));
        assertThat(load).contains("'$(reboot)'", "'`id`; rm -rf /'", "'a'\\''b'");
    }

    static DaemonSet loader(Module m) {
        var kernel = new KernelResolution.Resolved("6.1.0", "6.1.0", 0, "reg/mod:6.1.0", null);
        return ModuleLoaderDaemonSets.desired(m, kernel, Labels.KERNEL_VERSION);
    }

    @Test
    void theLoaderRunsTheStepsAndMountsFirmwareOnlyWhenAsked() {
        Module m = module("ns", "mod", Map.of(), literal("6.1.0", "reg/mod:6.1.0"));
        m.getSpec().setModuleLoader(new ContainerBuilder().withName("x").withImage("y").build());
        m.getSpec().setModprobe(modprobe("my_mod"));
        m.getSpec().setInTreeModulesToRemove(List.of("spec_level"));
        DaemonSet ds = loader(m);
        Container c = ds.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getCommand()).hasSize(3).startsWith("/bin/sh", "-c");
        assertThat(c.getCommand().get(2)).contains("modprobe '-r' '-v' 'spec_level'", "'my_mod'");
        assertThat(c.getLifecycle().getPreStop().getExec().getCommand().get(2))
                .isEqualTo(ModprobeCommands.unload(m.getSpec().getModprobe()));
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).containsExactly("SYS_MODULE");
        assertThat(ds.getSpec().getTemplate().getSpec().getVolumes()).extracting(v -> v.getName())
                .doesNotContain(ModuleLoaderDaemonSets.FIRMWARE_VOLUME);

        m.getSpec().getKernelMappings().get(0).setInTreeModulesToRemove(List.of("mapping_level"));
        m.getSpec().getModprobe().setFirmwarePath("/firmware");
        ds = loader(m);
        c = ds.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getCommand().get(2)).contains("'mapping_level'").doesNotContain("spec_level");
        assertThat(ds.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getName()
                .equals(ModuleLoaderDaemonSets.FIRMWARE_VOLUME)).singleElement()
                .satisfies(v -> assertThat(v.getHostPath().getPath()).isEqualTo("/var/lib/firmware"));
        assertThat(c.getVolumeMounts()).anySatisfy(vm -> assertThat(vm.getMountPath()).isEqualTo("/var/lib/firmware"));
    }

    @Test
    void theUsersOwnCommandAndHookWin() {
        Module m = module("ns", "mod", Map.of(), literal("6.1.0", "reg/mod:6.1.0")); // has its own preStop
        m.getSpec().getModuleLoader().setCommand(List.of("/my-loader"));
        m.getSpec().setModprobe(modprobe("my_mod"));
        Container c = loader(m).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getCommand()).containsExactly("/my-loader");
        assertThat(c.getLifecycle().getPreStop().getExec().getCommand()).containsExactly("modprobe", "-r", "sample");
    }

    @Test
    void withoutModprobeTheLoaderIsAsBefore() {
        Module m = module("ns", "mod", Map.of(), literal("6.1.0", "reg/mod:6.1.0"));
        Container c = loader(m).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getCommand()).isNullOrEmpty();
    }
}
