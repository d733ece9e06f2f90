package io.kmm.module;

import java.util.Set;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kmm.api.v1alpha1.Module;
import io.kmm.node.NodeKernels;
import io.kmm.node.PrunedNodeStore;

/**
 * The Module controller's view of nodes: reacts only to kernel and label changes (not heartbeats) and maps each
 * change to the Modules that selected the node before or after it.
 */
final class NodeEventSource extends InformerEventSource<Node, Module> {

    private final NodeToModules mapper;

    private NodeEventSource(InformerEventSourceConfiguration<Node> configuration, EventSourceContext<Module> context,
            NodeToModules mapper) {
        super(configuration, context);
        this.mapper = mapper;
    }

    static NodeEventSource create(EventSourceContext<Module> context) {
        NodeToModules mapper = new NodeToModules(context.getPrimaryCache());
        var configuration = InformerEventSourceConfiguration.from(Node.class, Module.class)
                .withName("nodes")
                .withSecondaryToPrimaryMapper(mapper)
                // Nodes are read from this cache with a selector, never as secondary resources: no index needed.
                .withPrimaryToSecondaryMapper(primary -> Set.of())
                .withOnUpdateFilter(NodeKernels::kernelOrLabelsChanged)
                // Only name, labels and kernel are read: the cache keeps nothing else (see PrunedNodeStore).
                .withItemStore(new PrunedNodeStore())
                .build();
        return new NodeEventSource(configuration, context, mapper);
    }

    @Override
    public void onUpdate(Node oldNode, Node newNode) {
        mapper.withPrevious(oldNode, () -> super.onUpdate(oldNode, newNode));
    }
}
