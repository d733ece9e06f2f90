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
 * Maps a node event to the Modules it concerns: a new or deleted node to those whose selector matches it; an update
 * to those the node enters or leaves, and to those it stays in when its kernel changed.
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
        boolean kernelChanged = old == null
                || !io.kmm.node.NodeKernels.kernelOf(old).equals(io.kmm.node.NodeKernels.kernelOf(node));
        return modules.list().filter(m -> {
            if (m.getSpec() == null) {
                return false;
            }
            boolean now = SelectedNodes.matches(m.getSpec().getSelector(), labels);
            boolean before = old != null && SelectedNodes.matches(m.getSpec().getSelector(), oldLabels);
            // A label change that neither moves the node in or out of the selector nor changes its kernel (e.g. the
            // module-ready labels KMM writes) changes nothing in the Module's plan.
            return now != before || (now && kernelChanged);
        }).map(ResourceID::fromResource).collect(Collectors.toSet());
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
