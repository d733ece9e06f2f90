package io.kmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPathsTest {

    @ParameterizedTest
    @ValueSource(strings = { "/lib/modules", "/lib/modules/", "/usr/lib/modules/6.1.0", "/lib/firmware/vendor",
            "/var/lib/firmware", "//lib//modules" })
    void allowed(String path) {
        assertThat(HostPaths.problem(path)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "/", "/etc", "/etc/kubernetes", "/root", "/var/lib/kubelet", "/var/lib/kubelet/pods",
            "/run/containerd/containerd.sock", "/var/run/docker.sock", "/proc", "/lib", "/lib/modules-evil",
            "/devices", "/system",
            // a file written there becomes host code or configuration, or they hand out devices and kernel knobs
            "/etc/modprobe.d", "/etc/modules-load.d", "/dev", "/dev/vendor0", "/sys/module/example/parameters",
            "/var/lib/kubelet/device-plugins" })
    void outsideTheAllowedDirectories(String path) {
        assertThat(HostPaths.problem(path)).hasValueSatisfying(m -> assertThat(m).contains("is outside the directories")
                .contains("kmm.security.extra-host-paths"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "/dev/vendor0", "/etc/modprobe.d/vendor.conf", "/sys/module" })
    void theAdminMayAllowMore(String path) {
        assertThat(HostPaths.problem(path, java.util.List.of("/dev", "/etc/modprobe.d/", "/sys"))).isEmpty();
        assertThat(HostPaths.problem("/etc", java.util.List.of("/etc/modprobe.d"))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = { "DirectoryOrCreate", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice" })
    void onlyExistingDirectories(String type) {
        assertThat(HostPaths.typeProblem(type)).hasValueSatisfying(m -> assertThat(m).contains("Directory"));
        assertThat(HostPaths.typeProblem("Directory")).isEmpty();
        assertThat(HostPaths.typeProblem(null)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "/lib/modules/../../etc", "/dev/./../etc", "/sys/.." })
    void climbingOutIsRefused(String path) {
        assertThat(HostPaths.problem(path)).hasValueSatisfying(m -> assertThat(m).contains("'..'"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "lib/modules", "dev" })
    void relativePathsAreRefused(String path) {
        assertThat(HostPaths.problem(path)).hasValueSatisfying(m -> assertThat(m).contains("must be absolute"));
    }
}
