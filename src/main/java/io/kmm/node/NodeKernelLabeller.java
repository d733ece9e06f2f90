package io.kmm.node;

import java.util.Map;
import java.util.Optional;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.kmm.meta.LabelValues;
import io.kmm.meta.Labels;
import io.kmm.metrics.KmmMetrics;

/**
 * Labels every node with its kernel version under {@link Labels#KERNEL_VERSION}. It patches only that label (a JSON
 * merge patch of one key: other labels and fields are never sent) and only reacts when the kernel or that label
 * changes.
 */
// Not generation-aware: the kernel (status) and labels (metadata) never change a node's generation.
@ControllerConfiguration(name = NodeKernelLabeller.NAME, generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = KernelLabelFilter.class, itemStore = PrunedNodeStore.class))
public class NodeKernelLabeller implements Reconciler<Node> {

    @Inject
    KmmMetrics metrics;

    public static final String NAME = "node-kernel-labeller";
    private static final Logger LOG = Logger.getLogger(NodeKernelLabeller.class);

    /** Nodes reported for a kernel string that is not a release, with what they reported (reported once each). */
    private final Map<String, String> invalid = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public UpdateControl<Node> reconcile(Node node, Context<Node> context) {
        String name = node.getMetadata().getName();
        if (!invalid.isEmpty()) {
            // nodes deleted since they were reported no longer count (few entries: only nodes reporting garbage)
            invalid.keySet().removeIf(n -> !n.equals(name)
                    && context.getPrimaryCache().get(new io.javaoperatorsdk.operator.processing.event.ResourceID(n))
                            .isEmpty());
        }
        Optional<String> bad = NodeKernels.invalidKernelOf(node);
        if (bad.isPresent()) {
            return invalidKernel(node, bad.get(), context);
        }
        if (invalid.remove(name) != null || !invalid.isEmpty()) {
            metrics.invalidKernelNodes(invalid.size());
        }
        Optional<String> kernel = NodeKernels.kernelOf(node);
        if (kernel.isEmpty()) {
            LOG.debugf("node %s reports no kernel version yet", node.getMetadata().getName());
            return UpdateControl.noUpdate();
        }
        String wanted = LabelValues.normalise(kernel.get());
        String current = NodeKernels.label(node, Labels.KERNEL_VERSION);
        if (wanted.equals(current)) {
            return UpdateControl.noUpdate();
        }
        String patch = Serialization.asJson(Map.of("metadata", Map.of("labels", Map.of(Labels.KERNEL_VERSION, wanted))));
        // resource(node), not withName(name): with the object at hand the client sends only the PATCH; by name it
        // GETs the node first (one extra request per label, measured by the scale benchmark).
        context.getClient().nodes().resource(node).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        metrics.nodeLabelUpdated();
        LOG.infof("node %s: kernel %s, label %s=%s (was %s)", node.getMetadata().getName(), kernel.get(),
                Labels.KERNEL_VERSION, wanted, current);
        return UpdateControl.noUpdate();
    }

    /**
     * A node whose status reports something that is not a kernel release: no kernel label (one it had is removed, so
     * no loader targets it), a Warning event on the Node once per string, the gauge of such nodes.
     */
    private UpdateControl<Node> invalidKernel(Node node, String kernel, Context<Node> context) {
        String name = node.getMetadata().getName();
        if (NodeKernels.label(node, Labels.KERNEL_VERSION) != null) {
            Map<String, Object> labels = new java.util.HashMap<>();
            labels.put(Labels.KERNEL_VERSION, null);
            context.getClient().nodes().resource(node).patch(PatchContext.of(PatchType.JSON_MERGE),
                    Serialization.asJson(Map.of("metadata", Map.of("labels", labels))));
            metrics.nodeLabelUpdated();
        }
        if (!kernel.equals(invalid.put(name, kernel))) {
            metrics.invalidKernelNodes(invalid.size());
            String message = "status.nodeInfo.kernelVersion " + NodeKernels.shown(kernel) + " is not a kernel "
                    + "release (at most " + NodeKernels.MAX_RELEASE + " letters, digits, '.', '_', '+', '~', '-'): "
                    + "KMM gives the node no kernel label and no Module targets it";
            LOG.warnf("node %s: %s", name, message);
            NodeEvents.warning(context.getClient(), node, "InvalidKernelVersion", message);
        }
        return UpdateControl.noUpdate();
    }

}
