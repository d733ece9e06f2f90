package io.kmm.node;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Node;

/** Reading a node's kernel, and telling which node changes matter to KMM (heartbeats do not). */
public final class NodeKernels {

    private NodeKernels() {
    }

    /** The kernel the node reports in status.nodeInfo.kernelVersion, if any. */
    public static Optional<String> kernelOf(Node node) {
        if (node.getStatus() == null || node.getStatus().getNodeInfo() == null) {
            return Optional.empty();
        }
        String kernel = node.getStatus().getNodeInfo().getKernelVersion();
        return kernel == null || kernel.isBlank() ? Optional.empty() : Optional.of(kernel.trim());
    }

    /** True when the kernel or the given label changed: what the node labeller reacts to. */
    public static boolean kernelOrLabelChanged(Node newNode, Node oldNode, String labelKey) {
        return !kernelOf(newNode).equals(kernelOf(oldNode))
                || !Objects.equals(label(newNode, labelKey), label(oldNode, labelKey));
    }

    /** True when the kernel or any label changed: what can change which Modules a node belongs to. */
    public static boolean kernelOrLabelsChanged(Node newNode, Node oldNode) {
        return !kernelOf(newNode).equals(kernelOf(oldNode))
                || !Objects.equals(labels(newNode), labels(oldNode));
    }

    static String label(Node node, String key) {
        return labels(node).get(key);
    }

    static Map<String, String> labels(Node node) {
        Map<String, String> labels = node.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }
}
