package io.kmm.node;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.kmm.meta.Labels;

/** Lets through only node updates that change the kernel or KMM's kernel label, never heartbeats. */
public class KernelLabelFilter implements OnUpdateFilter<Node> {

    @Override
    public boolean accept(Node newNode, Node oldNode) {
        return NodeKernels.kernelOrLabelChanged(newNode, oldNode, Labels.KERNEL_VERSION);
    }
}
