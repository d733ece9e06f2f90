package io.kmm.loader;

import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Modprobe;
import io.kmm.api.v1alpha1.Module;
import io.kmm.kernel.KernelResolution;
import io.kmm.meta.Labels;
import io.kmm.process.Commands;
import io.kmm.process.Trees;

/**
 * The operator's generated load and unload steps on a real kernel: Debian's kernel booted under qemu
 * ({@code dev/kernel-vm}), a real out-of-tree module pair built with kbuild against that kernel's headers
 * ({@code src/test/kernel}), and the exact scripts of the loader DaemonSet the operator would create for a Module
 * with parameters, {@code modulesLoadingOrder}, {@code inTreeModulesToRemove} (an in-tree module the node has loaded,
 * and one it does not have) and {@code firmwarePath}. The guest ({@code src/test/kernel/init}) runs them with a
 * busybox + kmod image, a dash + kmod image and a busybox-only image, and reports what {@code /proc/modules},
 * {@code /sys/module} and the kernel log say. One boot, under a generous timeout (software emulation: 30-90 s).
 */
class KernelLoadIT {

    private static final Path WORK = Path.of("target", "kernel-load").toAbsolutePath();
    private static final String FIRMWARE = "KMM test firmware\n".repeat(64);

    private static String kernel;
    private static String console;
    private static List<String> findings;
    private static DaemonSet loader;

    @BeforeAll
    static void boot() throws Exception {
        kernel = Commands.ok(Duration.ofMinutes(10), "dev/kernel-vm", "prepare").lines()
                .filter(l -> l.startsWith("KERNEL=")).findFirst().orElseThrow().substring("KERNEL=".length());
        Trees.deleteRecursively(WORK);
        Path modules = Files.createDirectories(WORK.resolve("modules"));
        for (String f : List.of("Kbuild", "kmm_test_a.c", "kmm_test_b.c")) {
            Files.copy(Path.of("src/test/kernel", f), modules.resolve(f));
        }
        Commands.ok(Duration.ofMinutes(5), "dev/kernel-vm", "build-module", modules.toString());

        // The guest: the node (busybox, kmod, dash; the in-tree module dummy) and the loader image in one root.
        Path root = WORK.resolve("root");
        Commands.ok(Duration.ofMinutes(5), "dev/kernel-vm", "rootfs", root.toString(), "dummy");
        Path image = root.resolve("opt/lib/modules").resolve(kernel).resolve("extra");
        Files.createDirectories(image);
        for (String ko : List.of("kmm_test_a.ko", "kmm_test_b.ko")) {
            Files.copy(modules.resolve(ko), image.resolve(ko));
        }
        Commands.ok(Duration.ofMinutes(1), "depmod", "-b", root.resolve("opt").toString(), kernel);
        Files.createDirectories(root.resolve("firmware/kmm-test"));
        Files.writeString(root.resolve("firmware/kmm-test/firmware.bin"), FIRMWARE);

        loader = ModuleLoaderDaemonSets.desired(testModule(), new KernelResolution.Resolved(kernel, kernel, 0,
                "registry.example/kmm-test:" + kernel, null), Labels.KERNEL_VERSION);
        Container c = loader.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getCommand()).startsWith("/bin/sh", "-c").hasSize(3);
        assertThat(c.getLifecycle().getPreStop().getExec().getCommand()).startsWith("/bin/sh", "-c").hasSize(3);
        Files.createDirectories(root.resolve("kmm"));
        Files.createDirectories(root.resolve(ModprobeCommands.STATE_DIR.substring(1))); // the pod's emptyDir
        Files.writeString(root.resolve("kmm/load.sh"), c.getCommand().get(2));
        Files.writeString(root.resolve("kmm/unload.sh"), c.getLifecycle().getPreStop().getExec().getCommand().get(2));
        // a Module naming a module its image does not have
        Modprobe missing = new Modprobe();
        missing.setModuleName("kmm_not_in_image");
        Files.writeString(root.resolve("kmm/load-missing.sh"), ModprobeCommands.load(missing, null));

        // A loader image with busybox only (its modprobe included), and the same modules.
        Path bb = root.resolve("bb");
        for (String d : List.of("bin", "sbin", "usr/bin", "usr/sbin", "proc", "dev", "tmp", "run/kmm",
                "var/lib/firmware")) {
            Files.createDirectories(bb.resolve(d));
        }
        Files.copy(Path.of("/bin/busybox"), bb.resolve("bin/busybox"));
        Files.setPosixFilePermissions(bb.resolve("bin/busybox"), PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String applet : Commands.ok(Duration.ofSeconds(10), "/bin/busybox", "--list-full").lines().toList()) {
            Path link = bb.resolve(applet);
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(link.getParent());
                Files.createSymbolicLink(link, Path.of("/bin/busybox"));
            }
        }
        Trees.copyRecursively(root.resolve("opt"), bb.resolve("opt"));
        Trees.copyRecursively(root.resolve("firmware"), bb.resolve("firmware"));

        Files.copy(Path.of("src/test/kernel/init"), root.resolve("init"));
        Files.setPosixFilePermissions(root.resolve("init"), PosixFilePermissions.fromString("rwxr-xr-x"));

        Commands.Result boot = Commands.run(Duration.ofMinutes(20), Map.of(), null,
                List.of("dev/kernel-vm", "boot", root.toString(), "quiet", "firmware_class.path=/var/lib/firmware"));
        console = boot.stdout().replace("\r", "");
        Files.writeString(WORK.resolve("console.log"), console + boot.stderr(), StandardCharsets.UTF_8);
        // (the first line may follow the firmware's terminal escapes)
        findings = console.lines().filter(l -> l.contains("KMM-TEST "))
                .map(l -> l.substring(l.indexOf("KMM-TEST ") + "KMM-TEST ".length())).toList();
        System.out.println("[KernelLoadIT] guest findings:\n  " + String.join("\n  ", findings));
        assertThat(findings).as("the guest ran to its end (console in %s)", WORK.resolve("console.log"))
                .contains("end");
    }

    /** A Module as a user writes it: parameters, a loading order, in-tree modules to remove, firmware. */
    static Module testModule() {
        Module m = module("drivers", "kmm-test", Map.of(), regexp("^.+$", "registry.example/kmm-test:${KERNEL_VERSION}"));
        m.getSpec().setModuleLoader(new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("loader")
                .withImage("ignored").build());
        Modprobe p = new Modprobe();
        p.setModuleName("kmm_test_a");
        p.setParameters(List.of("greeting=hello", "level=3"));
        p.setModulesLoadingOrder(List.of("kmm_test_a", "kmm_test_b"));
        p.setFirmwarePath("/firmware");
        m.getSpec().setModprobe(p);
        m.getSpec().setInTreeModulesToRemove(List.of("dummy", "kmm_absent_module"));
        return m;
    }

    private static List<String> of(String scenario) {
        return findings.stream().filter(f -> f.startsWith(scenario + " ")).map(f -> f.substring(scenario.length() + 1))
                .toList();
    }

    @Test
    void theGuestRunsTheKernelItWasBuiltFor() {
        assertThat(findings).contains("kernel " + kernel);
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith("kmod kmod version"));
        // why the scripts look for kmod by path: busybox's shell runs its own modprobe for a bare "modprobe"
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith("bare modprobe -V: ")
                .contains("invalid option"));
        assertThat(of("node")).contains("in-tree dummy loaded").anySatisfy(f -> assertThat(f).startsWith("modules")
                .contains("dummy"));
    }

    @Test
    void aBusyboxAndKmodImageRemovesInTreeModulesCopiesFirmwareAndLoadsInOrderWithParameters() {
        assertThat(of("kmod")).contains("loader running");
        assertThat(of("kmod")).anySatisfy(f -> assertThat(f).contains("load-output rmmod dummy"));
        assertThat(of("kmod")).contains(
                "load-output KMM: in-tree module kmm_absent_module is not loaded: nothing to remove",
                "load-output KMM: loaded: kmm_test_a kmm_test_b; waiting until the pod stops (its preStop hook unloads)");
        assertThat(of("kmod-loaded")).contains("parameter greeting=hello", "parameter level=3", "firmware present",
                "ready mark")
                .anySatisfy(f -> assertThat(f).startsWith("modules ").contains("kmm_test_a", "kmm_test_b")
                        .doesNotContain("dummy"));
        // kmm_test_a reads its firmware when it loads: the copy came first, where the kernel looks
        assertThat(of("kmod-loaded")).containsSubsequence(
                "dmesg kmm_test_a: loaded greeting=hello level=3 firmware=" + FIRMWARE.length() + " bytes",
                "dmesg kmm_test_b: loaded");
    }

    @Test
    void theGeneratedPreStopUnloadsInReverseOrderAndRemovesTheFirmware() {
        assertThat(of("kmod")).contains("unload exited 0", "loader stopped with 0");
        assertThat(of("kmod-unloaded")).contains("firmware absent")
                .anySatisfy(f -> assertThat(f).startsWith("modules").doesNotContain("kmm_test"));
        assertThat(of("kmod-unloaded")).containsSubsequence("dmesg kmm_test_b: unloaded", "dmesg kmm_test_a: unloaded");
    }

    @Test
    void aDashAndKmodImageWorksTooAndAnInTreeModuleThatIsNotLoadedIsNoError() {
        assertThat(of("dash")).contains("loader running", "unload exited 0", "loader stopped with 0",
                "second unload exited 0",
                "load-output KMM: in-tree module dummy is not loaded: nothing to remove");
        assertThat(of("dash-loaded")).contains("parameter greeting=hello", "firmware present");
        assertThat(of("dash-unloaded")).contains("firmware absent")
                .anySatisfy(f -> assertThat(f).startsWith("modules").doesNotContain("kmm_test"));
    }

    @Test
    void aModuleTheImageDoesNotHaveFailsTheLoadWithKmodsWords() {
        assertThat(of("missing")).contains("loader exited 1").anySatisfy(f -> assertThat(f)
                .contains("Module kmm_not_in_image not found in directory /opt/lib/modules/" + kernel));
    }

    @Test
    void aBusyboxOnlyImageStopsAtOnceNamingTheFix() {
        assertThat(of("busybox")).contains("loader exited 1")
                .anySatisfy(f -> assertThat(f).startsWith("load-output " + ModprobeCommands.NO_KMOD)
                        .contains("apk add kmod"))
                .anySatisfy(f -> assertThat(f).startsWith("modules").doesNotContain("kmm_test"))
                .noneMatch(f -> f.contains("can't") || f.contains("not found"));
    }
}
