package io.kmm.module;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.kmm.api.v1alpha1.Module;

/**
 * Maps a node event to the Modules it concerns: those whose selector matches the node's new labels, and on an
 * update also those that matched its old labels, so a node that leaves a Module's selector brings that Module back.
 * The old node is handed over by {@link NodeEventSource} on the informer thread that runs this mapper.
 */
final class NodeToModules implements SecondaryToPrimaryMapper<Node> {

    private final IndexedResourceCache<Module> modules;
    private final ThreadLocal<Node> previous = new ThreadLocal<>();

    NodeToModules(IndexedResourceCache<Module> modules) {
        this.modules = modules;
    }

    @Override
    public Set<ResourceID> toPrimaryResourceIDs(Node node) {
        Map<String, String> labels = node.getMetadata().getLabels();
        Node old = previous.get();
        Map<String, String> oldLabels = old == null ? null : old.getMetadata().getLabels();
        return modules.list()
                .filter(m -> m.getSpec() != null && (SelectedNodes.matches(m.getSpec().getSelector(), labels)
                        || old != null && SelectedNodes.matches(m.getSpec().getSelector(), oldLabels)))
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());
    }

    /** Runs {@code update} with {@code old} visible to {@link #toPrimaryResourceIDs} on this thread. */
    void withPrevious(Node old, Runnable update) {
        previous.set(old);
        try {
            update.run();
        } finally {
            previous.remove();
        }
    }
}
