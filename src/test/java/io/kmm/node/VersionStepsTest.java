package io.kmm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The ordered move of a node between versions, walked step by step as the node labeller and kubelet would. */
class VersionStepsTest {

    static final VersionSteps.Versioned WITH_PLUGIN = new VersionSteps.Versioned("drivers", "nic", "2.0", true, false);

    /** One node, its labels and the pods on it, advanced by applying each change as the API server would. */
    static final class Node {
        final Map<String, String> labels = new HashMap<>();
        String loaderPod; // version of the loader pod on the node, or null
        boolean loaderReady;
        String pluginPod;

        Map<String, String> step(VersionSteps.Versioned m, Set<String> versions) {
            Map<String, String> change = VersionSteps.change(m, labels, new VersionSteps.OnNode(loaderPod != null,
                    loaderReady ? loaderPod : null, pluginPod != null, versions));
            change.forEach((k, v) -> {
                if (v == null) {
                    labels.remove(k);
                } else {
                    labels.put(k, v);
                }
            });
            return change;
        }
    }

    @Test
    void aNodeMovesInOrderPluginOffUnloadLoadPluginBack() {
        VersionSteps.Versioned v1 = new VersionSteps.Versioned("drivers", "nic", "1.0", true, false);
        Node node = new Node();
        Set<String> versions = Set.of("1.0", "2.0");
        // first install: the loader label names spec.version at once
        assertThat(node.step(v1, versions)).containsExactlyEntriesOf(Map.of(v1.loaderKey(), "1.0"));
        node.loaderPod = "1.0";
        assertThat(node.step(v1, versions)).isEmpty(); // not Ready yet: no device plugin
        node.loaderReady = true;
        assertThat(node.step(v1, versions)).containsEntry(v1.devicePluginKey(), "1.0")
                .containsEntry(v1.readyKey(), "1.0");
        node.pluginPod = "1.0";
        assertThat(node.step(v1, versions)).isEmpty();

        // spec.version moves to 2.0
        assertThat(node.step(WITH_PLUGIN, versions)).containsExactlyEntriesOf(mapOf(v1.devicePluginKey(), null));
        assertThat(node.step(WITH_PLUGIN, versions)).as("waits for the plugin pod to go").isEmpty();
        node.pluginPod = null;
        assertThat(node.step(WITH_PLUGIN, versions)).containsExactlyEntriesOf(mapOf(v1.loaderKey(), null));
        node.loaderReady = false; // stopping: its preStop unloads
        assertThat(node.step(WITH_PLUGIN, versions)).containsExactlyEntriesOf(mapOf(v1.readyKey(), null));
        assertThat(node.step(WITH_PLUGIN, versions)).as("waits for the old loader to go").isEmpty();
        node.loaderPod = null;
        assertThat(node.step(WITH_PLUGIN, versions)).containsExactlyEntriesOf(Map.of(v1.loaderKey(), "2.0"));
        node.loaderPod = "2.0";
        node.loaderReady = true;
        assertThat(node.step(WITH_PLUGIN, versions)).containsEntry(v1.devicePluginKey(), "2.0")
                .containsEntry(v1.readyKey(), "2.0").hasSize(2);
        node.pluginPod = "2.0";
        assertThat(node.step(WITH_PLUGIN, versions)).isEmpty();
    }

    @Test
    void nothingMovesBeforeTheNewVersionHasALoaderForTheKernel() {
        Node node = new Node();
        node.labels.putAll(Map.of(WITH_PLUGIN.loaderKey(), "1.0", WITH_PLUGIN.devicePluginKey(), "1.0",
                WITH_PLUGIN.readyKey(), "1.0"));
        node.loaderPod = "1.0";
        node.loaderReady = true;
        node.pluginPod = "1.0";
        assertThat(node.step(WITH_PLUGIN, Set.of("1.0"))).as("2.0 is still being built").isEmpty();
        assertThat(node.step(WITH_PLUGIN, Set.of("1.0", "2.0"))).containsKey(WITH_PLUGIN.devicePluginKey());
    }

    @Test
    void theVersionLabelPinsANodeAndStagedNodesStayOnWhatTheyRun() {
        Map<String, String> labels = new HashMap<>(Map.of(WITH_PLUGIN.loaderKey(), "1.0"));
        Set<String> both = Set.of("1.0", "2.0");
        assertThat(VersionSteps.target(WITH_PLUGIN, labels, both)).isEqualTo("2.0");
        VersionSteps.Versioned staged = new VersionSteps.Versioned("drivers", "nic", "2.0", true, true);
        assertThat(VersionSteps.target(staged, labels, both)).as("not reached by a batch").isEqualTo("1.0");
        labels.put(WITH_PLUGIN.targetKey(), "2.0");
        assertThat(VersionSteps.target(staged, labels, both)).as("its batch came").isEqualTo("2.0");
        labels.put(WITH_PLUGIN.targetKey(), "1.0");
        assertThat(VersionSteps.target(WITH_PLUGIN, labels, both)).as("pinned by the user").isEqualTo("1.0");
        assertThat(VersionSteps.target(WITH_PLUGIN, labels, Set.of("2.0")))
                .as("rebooted into a kernel 1.0 has no loader for: nothing of 1.0 to keep").isEqualTo("2.0");
    }

    @Test
    void withoutADevicePluginTheLoaderMovesAtOnceAndAStalePluginLabelGoes() {
        VersionSteps.Versioned plain = new VersionSteps.Versioned("drivers", "nic", "2.0", false, false);
        Node node = new Node();
        node.labels.putAll(Map.of(plain.loaderKey(), "2.0", plain.devicePluginKey(), "2.0"));
        node.loaderPod = "2.0";
        node.loaderReady = true;
        assertThat(node.step(plain, Set.of("2.0"))).containsEntry(plain.devicePluginKey(), null)
                .containsEntry(plain.readyKey(), "2.0");
    }

    private static Map<String, String> mapOf(String k, String v) {
        Map<String, String> m = new HashMap<>();
        m.put(k, v);
        return m;
    }
}
