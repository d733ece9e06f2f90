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

    /** The script without the prelude (the kmod lookup and kmm_loaded), which every script starts with. */
    static List<String> steps(String script) {
        List<String> lines = script.lines().toList();
        assertThat(lines.subList(0, ModprobeCommands.PRELUDE.size())).isEqualTo(ModprobeCommands.PRELUDE);
        return lines.subList(ModprobeCommands.PRELUDE.size(), lines.size());
    }

    static final String WAIT = "while true; do sleep 3600 & wait $!; done";

    @Test
    void plainLoadAndUnload() {
        Modprobe m = modprobe("my_mod");
        assertThat(steps(ModprobeCommands.load(m, null))).containsExactly(
                "rm -f '/run/kmm/loaded'",
                "\"$kmm_modprobe\" '-v' '-d' '/opt' 'my_mod'",
                ": > '/run/kmm/loaded'",
                "echo 'KMM: loaded: my_mod; waiting until the pod stops (its preStop hook unloads)'",
                "trap 'exit 0' TERM INT", WAIT);
        assertThat(steps(ModprobeCommands.unload(m))).containsExactly(
                "\"$kmm_modprobe\" '-r' '-v' '-d' '/opt' 'my_mod'");
    }

    @Test
    void parametersDirArgsInTreeAndFirmware() {
        Modprobe m = modprobe("my_mod");
        m.setParameters(List.of("debug=1", "name=it's"));
        m.setDirName("/usr/share/kmm");
        m.setArgs(new ModprobeArgs(List.of("--first-time"), List.of("-q")));
        m.setFirmwarePath("/firmware");
        List<String> load = new java.util.ArrayList<>(steps(ModprobeCommands.load(m, List.of("old_mod", "older-mod"))));
        // the firmware copy (FirmwareCopyTest runs it): its lines stand where the copy goes
        List<String> copy = ModprobeCommands.copyFirmware("/firmware");
        int at = java.util.Collections.indexOfSubList(load, copy);
        assertThat(at).isPositive();
        load.subList(at, at + copy.size()).clear();
        load.add(at, "<copy firmware>");
        assertThat(load).containsExactly(
                "rm -f '/run/kmm/loaded'",
                "if kmm_loaded 'old_mod'; then \"$kmm_modprobe\" '-r' '-v' 'old_mod'; "
                        + "else echo 'KMM: in-tree module old_mod is not loaded: nothing to remove'; fi",
                "if kmm_loaded 'older-mod'; then \"$kmm_modprobe\" '-r' '-v' 'older-mod'; "
                        + "else echo 'KMM: in-tree module older-mod is not loaded: nothing to remove'; fi",
                "<copy firmware>",
                "\"$kmm_modprobe\" '--first-time' '-d' '/usr/share/kmm' 'my_mod' 'debug=1' 'name=it'\\''s'",
                ": > '/run/kmm/loaded'",
                "echo 'KMM: loaded: my_mod; waiting until the pod stops (its preStop hook unloads)'",
                "trap 'exit 0' TERM INT", WAIT);
        assertThat(steps(ModprobeCommands.unload(m))).containsExactly(
                "\"$kmm_modprobe\" '-r' '-q' '-d' '/usr/share/kmm' 'my_mod'",
                "cd '/firmware' && find . -type f | while read -r f; do rm -f '/var/lib/firmware/'\"$f\"; done");
    }

    @Test
    void loadingOrderLoadsInOrderAndUnloadsInReverse() {
        Modprobe m = modprobe("a");
        m.setParameters(List.of("p=1"));
        m.setModulesLoadingOrder(List.of("a", "b", "c"));
        assertThat(steps(ModprobeCommands.load(m, null))).containsSubsequence(
                "\"$kmm_modprobe\" '-v' '-d' '/opt' 'a' 'p=1'", "\"$kmm_modprobe\" '-v' '-d' '/opt' 'b'",
                "\"$kmm_modprobe\" '-v' '-d' '/opt' 'c'",
                "echo 'KMM: loaded: a b c; waiting until the pod stops (its preStop hook unloads)'");
        assertThat(steps(ModprobeCommands.unload(m))).containsExactly(
                "\"$kmm_modprobe\" '-r' '-v' '-d' '/opt' 'c'", "\"$kmm_modprobe\" '-r' '-v' '-d' '/opt' 'b'",
                "\"$kmm_modprobe\" '-r' '-v' '-d' '/opt' 'a'");
    }

    @Test
    void rawArgsReplaceTheModprobeCall() {
        Modprobe m = new Modprobe();
        m.setRawArgs(new ModprobeArgs(List.of("-d", "/x", "foo", "bar=1"), List.of("-r", "foo")));
        assertThat(steps(ModprobeCommands.load(m, null))).startsWith("rm -f '/run/kmm/loaded'",
                "\"$kmm_modprobe\" '-d' '/x' 'foo' 'bar=1'", ": > '/run/kmm/loaded'",
                "echo 'KMM: loaded; waiting until the pod stops (its preStop hook unloads)'")
                .noneMatch(l -> l.contains("'/opt'"));
        assertThat(steps(ModprobeCommands.unload(m))).containsExactly("\"$kmm_modprobe\" '-r' 'foo'");
    }

    @Test
    void nothingFromTheModuleIsInterpretedByTheShell() {
        Modprobe m = modprobe("x");
        m.setParameters(List.of("$(reboot)", "`id`; rm -rf /"));
        String load = ModprobeCommands.load(m, List.of("a'b"));
        assertThat(load).contains("'$(reboot)'", "'`id`; rm -rf /'", "kmm_loaded 'a'\\''b'");
    }

    @Test
    void theImageWithoutKmodIsToldWhatToInstall() {
        String script = ModprobeCommands.load(modprobe("x"), null);
        assertThat(script).contains(ModprobeCommands.NO_KMOD, "apt-get install kmod", "apk add kmod",
                "docs/unloading.md#the-loader-image");
        assertThat(ModprobeCommands.unload(modprobe("x"))).contains(ModprobeCommands.NO_KMOD);
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
        assertThat(c.getCommand().get(2)).contains("\"$kmm_modprobe\" '-r' '-v' 'spec_level'", "'my_mod'");
        assertThat(c.getLifecycle().getPreStop().getExec().getCommand().get(2))
                .isEqualTo(ModprobeCommands.unload(m.getSpec().getModprobe()));
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).containsExactly("SYS_MODULE");
        assertThat(ds.getSpec().getTemplate().getSpec().getVolumes()).extracting(v -> v.getName())
                .doesNotContain(ModuleLoaderDaemonSets.FIRMWARE_VOLUME);
        // Ready only once the load step marked that it loaded, in a volume of the pod
        assertThat(c.getReadinessProbe().getExec().getCommand()).containsExactly("/bin/sh", "-c",
                "[ -e /run/kmm/loaded ]");
        assertThat(c.getVolumeMounts()).anySatisfy(vm -> assertThat(vm.getMountPath()).isEqualTo("/run/kmm"));
        assertThat(ds.getSpec().getTemplate().getSpec().getVolumes())
                .filteredOn(v -> v.getName().equals(ModuleLoaderDaemonSets.STATE_VOLUME)).singleElement()
                .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
        assertThat(c.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");

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
        DaemonSet ds = loader(m);
        Container c = ds.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getCommand()).containsExactly("/my-loader");
        assertThat(c.getReadinessProbe()).isNull();
        assertThat(ds.getSpec().getTemplate().getSpec().getVolumes()).extracting(v -> v.getName())
                .doesNotContain(ModuleLoaderDaemonSets.STATE_VOLUME);
        assertThat(c.getLifecycle().getPreStop().getExec().getCommand()).containsExactly("modprobe", "-r", "sample");
    }

    @Test
    void withoutModprobeTheLoaderIsAsBefore() {
        Module m = module("ns", "mod", Map.of(), literal("6.1.0", "reg/mod:6.1.0"));
        Container c = loader(m).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getCommand()).isNullOrEmpty();
    }
}
