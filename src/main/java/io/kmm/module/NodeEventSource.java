package io.kmm.module;

import java.time.Duration;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.kmm.api.v1alpha1.Module;
import io.kmm.node.NodeKernels;
import io.kmm.node.SharedCache;
import io.kmm.node.SharedNodes;

/**
 * The Module controller's view of nodes, without a Node informer of its own: it reads the node labeller's cache and
 * hears of its events through {@link SharedNodes}. It reacts only to kernel and label changes (not heartbeats) and
 * maps each change to the Modules that selected the node before or after it ({@link NodeToModules}). Its start waits
 * until that cache has synced, so that no reconcile sees a partial list of nodes.
 */
final class NodeEventSource extends AbstractEventSource<Node, Module> implements SharedCache.Listener<Node> {

    private final SharedNodes shared;
    private final NodeToModules mapper;
    private final Duration syncTimeout;

    NodeEventSource(SharedNodes shared, NodeToModules mapper, Duration syncTimeout) {
        super(Node.class, "nodes");
        this.shared = shared;
        this.mapper = mapper;
        this.syncTimeout = syncTimeout;
        shared.listen(this);
    }

    Stream<Node> list(Predicate<Node> predicate) {
        return shared.list(predicate);
    }

    @Override
    public void on(Node old, Node now) {
        if (!isRunning() || (old != null && now != null && !NodeKernels.kernelOrLabelsChanged(now, old))) {
            return;
        }
        for (var id : mapper.toModules(old, now)) {
            getEventHandler().handleEvent(new Event(id));
        }
    }

    @Override
    public Set<Node> getSecondaryResources(Module primary) {
        return Set.of(); // nodes are read with the Module's selector (list), never as secondary resources
    }

    @Override
    public void start() {
        shared.awaitSynced(syncTimeout);
        super.start();
    }
}
