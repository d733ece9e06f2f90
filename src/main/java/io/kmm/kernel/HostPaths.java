package io.kmm.kernel;

import java.util.List;
import java.util.Optional;

/**
 * The host directories a Module's {@code additionalVolumes} may mount into loader and device-plugin pods. A loader
 * needs the kernel's modules and firmware, module configuration, devices and sysfs; nothing else on the host (the
 * container runtime's socket, /etc, /root, /var/lib/kubelet, /proc...) is its business, and the pods run with
 * CAP_SYS_MODULE or privileged, so a wider mount would hand the node to whoever can write a Module. Pure.
 */
public final class HostPaths {

    /** Allowed directories; a path is allowed when it is one of them or below one of them. */
    public static final List<String> ALLOWED = List.of(
            "/lib/modules", "/usr/lib/modules",
            "/lib/firmware", "/usr/lib/firmware", "/var/lib/firmware",
            "/etc/modprobe.d", "/etc/modules-load.d",
            "/dev", "/sys",
            "/var/lib/kubelet/device-plugins");

    private HostPaths() {
    }

    /** Why a hostPath volume's path is not allowed, or empty when it is. */
    public static Optional<String> problem(String path) {
        if (path == null || path.isEmpty()) {
            return Optional.of("hostPath.path is empty");
        }
        if (!path.startsWith("/")) {
            return Optional.of("hostPath.path must be absolute, not " + path);
        }
        for (String segment : path.split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                return Optional.of("hostPath.path must not contain '.' or '..' segments: " + path);
            }
        }
        String normalised = path.replaceAll("/+", "/");
        if (normalised.length() > 1 && normalised.endsWith("/")) {
            normalised = normalised.substring(0, normalised.length() - 1);
        }
        for (String allowed : ALLOWED) {
            if (normalised.equals(allowed) || normalised.startsWith(allowed + "/")) {
                return Optional.empty();
            }
        }
        return Optional.of("hostPath " + path + " is outside the directories a module loader may mount ("
                + String.join(", ", ALLOWED) + ")");
    }
}
