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

    @Override
    public UpdateControl<Node> reconcile(Node node, Context<Node> context) {
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
}
