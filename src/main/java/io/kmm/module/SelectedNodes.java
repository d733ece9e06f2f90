package io.kmm.module;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.fabric8.kubernetes.api.model.Node;
import io.kmm.node.NodeKernels;

/**
 * The nodes a Module selects, counted by kernel.
 *
 * @param byKernel number of selected nodes per kernel version
 * @param withoutKernel selected nodes that report no kernel version yet (or one that is not a kernel release)
 */
public record SelectedNodes(Map<String, Integer> byKernel, int withoutKernel) {

    public static SelectedNodes of(Collection<Node> nodes) {
        Map<String, Integer> byKernel = new TreeMap<>();
        int withoutKernel = 0;
        for (Node node : nodes) {
            Optional<String> kernel = NodeKernels.validKernelOf(node); // a node reporting garbage is targeted by nothing
            if (kernel.isPresent()) {
                byKernel.merge(kernel.get(), 1, Integer::sum);
            } else {
                withoutKernel++;
            }
        }
        return new SelectedNodes(byKernel, withoutKernel);
    }

    public int total() {
        return withoutKernel + byKernel.values().stream().mapToInt(Integer::intValue).sum();
    }

    public int on(String kernel) {
        return byKernel.getOrDefault(kernel, 0);
    }

    /** Whether a node's labels satisfy a Module selector (every key/value present; an empty selector takes all). */
    public static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        return io.kmm.meta.Labels.selectorMatches(selector, labels);
    }
}
