package io.kmm.meta;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Deterministic names of the objects KMM creates. A restarted operator computes the same names and so finds its
 * objects instead of creating duplicates. Every name is a DNS-1123 label of at most 63 characters.
 */
public final class Names {

    public static final int MAX_LENGTH = 63;
    private static final int HASH_LENGTH = 8;
    private static final Pattern NOT_DNS = Pattern.compile("[^a-z0-9-]+");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private Names() {
    }

    /**
     * Name of the ModuleLoader DaemonSet of one Module and kernel: {@code <module>-<kernel>-<hash>}, shortened to fit.
     * The hash of the exact kernel keeps kernels that differ only in characters a name cannot hold apart.
     */
    public static String loaderDaemonSet(String moduleName, String kernel) {
        return withHash(moduleName + "-" + kernel, moduleName + "\n" + kernel);
    }

    /**
     * Name of the ModuleLoader DaemonSet of one version of a versioned Module and one kernel: as
     * {@link #loaderDaemonSet(String, String)}, with the version in the hash.
     */
    public static String loaderDaemonSet(String moduleName, String kernel, String version) {
        return version == null ? loaderDaemonSet(moduleName, kernel)
                : withHash(moduleName + "-" + kernel, moduleName + "\n" + kernel + "\n" + version);
    }

    /** Name of the device-plugin DaemonSet of one version of a versioned Module: {@code <module>-device-plugin-<hash>}. */
    public static String devicePluginDaemonSet(String moduleName, String version) {
        return version == null ? devicePluginDaemonSet(moduleName)
                : withHash(moduleName + "-device-plugin", moduleName + "\ndevice-plugin\n" + version);
    }

    /** Name of the device-plugin DaemonSet of a Module: {@code <module>-device-plugin}, shortened to fit. */
    public static String devicePluginDaemonSet(String moduleName) {
        String name = moduleName + "-device-plugin";
        return isDnsLabel(name) ? name : withHash(name, moduleName + "\ndevice-plugin");
    }

    /** Name of the build object of one Module, kernel and set of build inputs. */
    public static String buildObject(String moduleName, String kernel, String inputsHash) {
        String readable = NOT_DNS.matcher((moduleName + "-" + kernel).toLowerCase(Locale.ROOT)).replaceAll("-");
        int room = MAX_LENGTH - inputsHash.length() - 1;
        if (readable.length() > room) {
            readable = readable.substring(0, room);
        }
        readable = LabelValues.trimToAlphanumeric(readable);
        return readable + "-" + inputsHash;
    }

    /**
     * Name of an event about a Module: {@code <module>.<suffix>}, the Module's name shortened so that the whole stays a
     * DNS subdomain of at most 253 characters (a Module's name may be that long itself).
     */
    public static String event(String moduleName, String suffix) {
        int room = 253 - suffix.length() - 1;
        String prefix = moduleName.length() > room ? moduleName.substring(0, room) : moduleName;
        while (!prefix.isEmpty() && !Character.isLetterOrDigit(prefix.charAt(prefix.length() - 1))) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        return prefix + "." + suffix;
    }

    static boolean isDnsLabel(String name) {
        return name.length() <= MAX_LENGTH && DNS_LABEL.matcher(name).matches();
    }

    static String withHash(String readable, String hashInput) {
        String sanitised = NOT_DNS.matcher(readable.toLowerCase(Locale.ROOT)).replaceAll("-");
        int room = MAX_LENGTH - HASH_LENGTH - 1;
        if (sanitised.length() > room) {
            sanitised = sanitised.substring(0, room);
        }
        sanitised = LabelValues.trimToAlphanumeric(sanitised);
        String hash = LabelValues.hash(hashInput, HASH_LENGTH);
        return sanitised.isEmpty() ? hash : sanitised + "-" + hash;
    }
}
