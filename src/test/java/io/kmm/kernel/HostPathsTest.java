package io.kmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPathsTest {

    @ParameterizedTest
    @ValueSource(strings = { "/lib/modules", "/lib/modules/", "/usr/lib/modules/6.1.0", "/lib/firmware/vendor",
            "/etc/modprobe.d", "/dev", "/dev/vendor0", "/sys/module/example/parameters",
            "/var/lib/kubelet/device-plugins", "//lib//modules" })
    void allowed(String path) {
        assertThat(HostPaths.problem(path)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "/", "/etc", "/etc/kubernetes", "/root", "/var/lib/kubelet", "/var/lib/kubelet/pods",
            "/run/containerd/containerd.sock", "/var/run/docker.sock", "/proc", "/lib", "/lib/modules-evil",
            "/devices", "/system" })
    void outsideTheAllowedDirectories(String path) {
        assertThat(HostPaths.problem(path)).hasValueSatisfying(m -> assertThat(m).contains("is outside the directories"));
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
