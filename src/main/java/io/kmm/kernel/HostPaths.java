package io.kmm.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The host directories a Module's {@code additionalVolumes} may mount into loader and device-plugin pods. By default
 * only the kernel's module and firmware directories, read-only: a loader runs with CAP_SYS_MODULE (the device plugin
 * privileged), so a mount that lets a file it writes become host code or host configuration ({@code /etc/modprobe.d}
 * runs commands at the next modprobe), or hands it devices ({@code /dev}) or kernel knobs ({@code /sys}), would give
 * whoever writes a Module more than loading a module. The cluster admin may add directories
 * ({@code kmm.security.extra-host-paths}); mounts stay read-only. Pure.
 */
public final class HostPaths {

    /** Allowed by default; a path is allowed when it is one of them or below one of them. */
    public static final List<String> ALLOWED = List.of(
            "/lib/modules", "/usr/lib/modules",
            "/lib/firmware", "/usr/lib/firmware", "/var/lib/firmware");

    /** The hostPath types a Module may use: a directory that exists (unset means Directory: KMM sets it). */
    public static final String TYPE = "Directory";

    private HostPaths() {
    }

    /** Why a hostPath volume's path is not allowed by default, or empty when it is. */
    public static Optional<String> problem(String path) {
        return problem(path, List.of());
    }

    /** Why a hostPath volume's path is not allowed, or empty when it is. */
    public static Optional<String> problem(String path, List<String> extra) {
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
        String normalised = normalise(path);
        List<String> allowed = new ArrayList<>(ALLOWED);
        extra.stream().map(HostPaths::normalise).forEach(allowed::add);
        for (String a : allowed) {
            if (normalised.equals(a) || a.equals("/") || normalised.startsWith(a + "/")) {
                return Optional.empty();
            }
        }
        return Optional.of("hostPath " + path + " is outside the directories a module loader may mount ("
                + String.join(", ", allowed) + "); the cluster admin can allow more with kmm.security.extra-host-paths");
    }

    /** Why a hostPath volume's type is not allowed, or empty (unset or Directory). */
    public static Optional<String> typeProblem(String type) {
        if (type == null || type.isEmpty() || TYPE.equals(type)) {
            return Optional.empty();
        }
        return Optional.of("hostPath.type must be Directory (or unset): \"" + type + "\" could create or open other "
                + "things on the node");
    }

    static String normalise(String path) {
        String normalised = path.replaceAll("/+", "/");
        if (normalised.length() > 1 && normalised.endsWith("/")) {
            normalised = normalised.substring(0, normalised.length() - 1);
        }
        return normalised;
    }
}
