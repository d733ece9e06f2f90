package io.kmm.e2e;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.kmm.process.Commands;
import io.kmm.process.Trees;

/**
 * The images the real-node tests run, made here from this machine's files and pushed to the cluster's registry on
 * 127.0.0.1 ({@code dev/oci-image}, {@code dev/operator-image}): no public registry is reachable.
 */
final class TestImages {

    static final Path WORK = Path.of("target", "test-images").toAbsolutePath();
    /** What the device plugin offers on every node it runs on. */
    static final String DEVICE_RESOURCE = "example.com/kmm-test-device";
    static final String FIRMWARE_FILE = "kmm-test/firmware.bin";

    private TestImages() {
    }

    /** The operator's image, made as docs/install.md says: a Java runtime base, the operator layered by Jib. */
    static String operator(String registry, String tag) throws Exception {
        String out = Commands.ok(Duration.ofMinutes(10), "dev/operator-image", "build", registry, tag);
        return out.strip().lines().reduce((a, b) -> b).orElseThrow();
    }

    /**
     * A loader image as a driver vendor would make it, but whose kmod {@code modprobe} is replaced by one that only
     * records its arguments (src/test/images/modprobe-recorder: this machine's kernel cannot load modules): busybox,
     * the modules' directory and firmware under {@code /firmware}.
     */
    static String recordingLoader(String registry) throws Exception {
        Path root = fresh("recording-loader");
        busybox(root, false);
        Path modprobe = root.resolve("usr/sbin/modprobe");
        Files.createDirectories(modprobe.getParent());
        Files.copy(Path.of("src/test/images/modprobe-recorder"), modprobe);
        executable(modprobe);
        Files.createDirectories(root.resolve("opt/lib/modules"));
        Files.createDirectories(root.resolve("firmware/kmm-test"));
        Files.writeString(root.resolve("firmware").resolve(FIRMWARE_FILE), "KMM test firmware\n");
        return push(registry + "/kmm-test/recording-loader:1", root);
    }

    /** A loader image with busybox only (its modprobe included): the generated steps must refuse it at once. */
    static String busyboxOnlyLoader(String registry) throws Exception {
        Path root = fresh("busybox-loader");
        busybox(root, true);
        Files.createDirectories(root.resolve("opt/lib/modules"));
        return push(registry + "/kmm-test/busybox-loader:1", root);
    }

    /** The tiny device plugin of src/test/go/device-plugin, built with Go (cached by its sources' hash). */
    static String devicePlugin(String registry) throws Exception {
        Path src = Path.of("src/test/go/device-plugin").toAbsolutePath();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (String f : List.of("main.go", "go.mod", "go.sum")) {
            sha.update(Files.readAllBytes(src.resolve(f)));
        }
        String hash = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "kmm-test-images", "device-plugin-" + hash);
        Path binary = cache.resolve("device-plugin");
        if (!Files.isExecutable(binary)) {
            Files.createDirectories(cache);
            Path tmp = cache.resolve("device-plugin.tmp");
            Commands.Result r = Commands.run(Duration.ofMinutes(10), Map.of("CGO_ENABLED", "0"), null,
                    List.of("go", "-C", src.toString(), "build", "-trimpath", "-ldflags", "-s -w", "-o",
                            tmp.toString(), "."));
            if (r.code() != 0) {
                throw new IllegalStateException("building the test device plugin failed:\n" + r.output());
            }
            Files.move(tmp, binary, StandardCopyOption.ATOMIC_MOVE);
        }
        Path root = fresh("device-plugin");
        Files.copy(binary, root.resolve("device-plugin"));
        executable(root.resolve("device-plugin"));
        return push(registry + "/kmm-test/device-plugin:1", root, "--entrypoint", "[\"/device-plugin\"]");
    }

    private static Path fresh(String name) throws Exception {
        Path root = WORK.resolve(name);
        Trees.deleteRecursively(root);
        Files.createDirectories(root.resolve("tmp"));
        return root;
    }

    /** busybox and its applets, with or without its modprobe (and the other module tools). */
    private static void busybox(Path root, boolean withModuleTools) throws Exception {
        Files.createDirectories(root.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
        executable(root.resolve("bin/busybox"));
        List<String> moduleTools = List.of("modprobe", "insmod", "rmmod", "lsmod", "depmod", "modinfo");
        for (String applet : Commands.ok(Duration.ofSeconds(10), "/bin/busybox", "--list-full").lines().toList()) {
            if (!withModuleTools && moduleTools.contains(Path.of(applet).getFileName().toString())) {
                continue;
            }
            Path link = root.resolve(applet);
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(link.getParent());
                Files.createSymbolicLink(link, Path.of("/bin/busybox"));
            }
        }
    }

    private static void executable(Path file) throws Exception {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String push(String image, Path root, String... options) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("dev/oci-image", "push", image));
        command.addAll(List.of(options));
        command.add(root.toString());
        Commands.ok(Duration.ofMinutes(5), Map.of(), command.toArray(String[]::new));
        return image;
    }
}
