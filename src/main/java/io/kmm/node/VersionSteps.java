package io.kmm.node;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import io.kmm.meta.Labels;

/**
 * The ordered move of one node between two versions of a versioned Module, one step per node-label patch. Pure.
 * <p>
 * The Module's DaemonSets of one version select nodes by the operator's labels: the loader by
 * {@code <ns>.<module>.loader-version}, the device plugin by {@code <ns>.<module>.device-plugin-version} (and the
 * module-ready label). When the version a node should run (its {@code <ns>.<module>.version} label, else
 * {@code spec.version}) differs from the one it runs:
 * <ol>
 * <li>the device-plugin label goes, and the step waits until the device-plugin pod is gone from the node;</li>
 * <li>the loader label goes (the old loader pod stops: its preStop unloads), and the step waits until that pod is
 * gone;</li>
 * <li>the loader label names the new version (the new loader loads);</li>
 * <li>once that loader is Ready, the device-plugin label names the new version (the plugin comes back).</li>
 * </ol>
 * Nothing starts before a loader DaemonSet of the new version exists for the node's kernel (an image still being
 * built keeps the old version running). The {@code <ns>.<module>.version-ready} label names the version whose loader
 * is Ready on the node, for workloads to select.
 */
public final class VersionSteps {

    private VersionSteps() {
    }

    /**
     * A versioned Module, as the steps need it.
     *
     * @param version spec.version
     * @param devicePlugin whether it has a device plugin
     * @param staged spec.upgrade.strategy is Staged: a node without a version label stays on the version it runs
     */
    public record Versioned(String namespace, String name, String version, boolean devicePlugin, boolean staged) {

        public String targetKey() {
            return Labels.moduleKey(namespace, name, Labels.VERSION_SUFFIX);
        }

        public String loaderKey() {
            return Labels.moduleKey(namespace, name, Labels.LOADER_VERSION_SUFFIX);
        }

        public String devicePluginKey() {
            return Labels.moduleKey(namespace, name, Labels.DEVICE_PLUGIN_VERSION_SUFFIX);
        }

        public String readyKey() {
            return Labels.moduleKey(namespace, name, Labels.VERSION_READY_SUFFIX);
        }
    }

    /**
     * What runs on the node for the Module.
     *
     * @param loaderPod a loader pod of the Module is on the node (any version, also one that is stopping)
     * @param readyVersion the version of the Module's Ready loader pod on the node, or null
     * @param devicePluginPod a device-plugin pod of the Module is on the node (also one that is stopping)
     * @param loaderVersions the versions that have a loader DaemonSet of the Module for the node's kernel
     */
    public record OnNode(boolean loaderPod, String readyVersion, boolean devicePluginPod, Set<String> loaderVersions) {
    }

    /**
     * The version the node should run: its version label; else, when staged, the version it runs; else spec.version.
     * A version without a loader for the node's kernel (the node rebooted into a kernel the old version was never
     * built for) falls back to spec.version: there is nothing of it to keep running.
     */
    public static String target(Versioned module, Map<String, String> labels, Set<String> loaderVersions) {
        String target = wanted(labels.get(module.targetKey()), labels.get(module.loaderKey()), module.version(),
                module.staged());
        if (!target.equals(module.version()) && !loaderVersions.contains(target)) {
            return module.version();
        }
        return target;
    }

    /**
     * The version a node should run, before the fallback for kernels without a loader of it: its version label; else,
     * when staged, the version it runs; else spec.version.
     */
    public static String wanted(String label, String running, String version, boolean staged) {
        return label != null && !label.isEmpty() ? label : staged && running != null ? running : version;
    }

    /** The label changes (value, or null to remove) the node needs for the Module now: empty when none. */
    public static Map<String, String> change(Versioned module, Map<String, String> labels, OnNode on) {
        Map<String, String> change = new TreeMap<>();
        String loader = labels.get(module.loaderKey());
        String plugin = labels.get(module.devicePluginKey());
        String target = target(module, labels, on.loaderVersions());
        if (target.equals(loader)) {
            // at its version: the device plugin comes (back) once the loader of that version is Ready
            String wanted = module.devicePlugin() && (target.equals(plugin) || target.equals(on.readyVersion()))
                    ? target : null;
            if (!Objects.equals(wanted, plugin)) {
                change.put(module.devicePluginKey(), wanted);
            }
        } else if (on.loaderVersions().contains(target)) {
            if (plugin != null) {
                change.put(module.devicePluginKey(), null); // 1. device plugin off
            } else if (on.devicePluginPod()) {
                // waiting for the device-plugin pod to go
            } else if (loader != null) {
                change.put(module.loaderKey(), null); // 2. old loader off: its preStop unloads the module
            } else if (on.loaderPod()) {
                // waiting for the old loader pod to go (the module is being unloaded)
            } else {
                change.put(module.loaderKey(), target); // 3. new loader: loads the new version
            }
        }
        if (!Objects.equals(on.readyVersion(), labels.get(module.readyKey()))) {
            change.put(module.readyKey(), on.readyVersion());
        }
        return change;
    }
}
