package io.kmm.node;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Node;

/** Reading a node's kernel, and telling which node changes matter to KMM (heartbeats do not). */
public final class NodeKernels {

    private NodeKernels() {
    }

    /**
     * What a kernel release looks like ({@code uname -r}: at most 64 characters; letters, digits, '.', '_', '+', '~',
     * '-'). Anything else in a node's status (its kubelet writes it) is not used: a newline there must never reach a
     * label, a name or a build.
     */
    static final java.util.regex.Pattern RELEASE = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~-]*");
    public static final int MAX_RELEASE = 64;

    /** {@link #RELEASE}, at most {@link #MAX_RELEASE} characters (read per node per Module reconcile: no regex). */
    public static boolean validRelease(String kernel) {
        int n = kernel.length();
        if (n == 0 || n > MAX_RELEASE) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = kernel.charAt(i);
            boolean alnum = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
            if (!alnum && (i == 0 || c != '.' && c != '_' && c != '+' && c != '~' && c != '-')) {
                return false;
            }
        }
        return true;
    }

    /** The node's kernel when it is a valid release; empty when it reports none, or something else. */
    public static Optional<String> validKernelOf(Node node) {
        return kernelOf(node).filter(NodeKernels::validRelease);
    }

    /** What the node reports instead of a kernel release, when it does (present only when set and not valid). */
    public static Optional<String> invalidKernelOf(Node node) {
        return kernelOf(node).filter(k -> !validRelease(k));
    }

    /** A node's invalid kernel string as it may be shown: at most 64 characters, control characters escaped. */
    public static String shown(String kernel) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < kernel.length() && b.length() < MAX_RELEASE; i++) {
            char c = kernel.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return "\"" + b + (kernel.length() > MAX_RELEASE ? "..." : "") + "\" (" + kernel.length() + " characters)";
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
