package io.kmm.module;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.kmm.api.v1alpha1.Module;

/**
 * Maps a node event to the Modules it concerns: those that select the node now and those it was last mapped to, so
 * that a node whose labels no longer match a Module still brings that Module back (to remove it from the loader).
 * The memory is one small set per node name ever seen.
 */
final class NodeToModules implements SecondaryToPrimaryMapper<Node> {

    private final IndexedResourceCache<Module> modules;
    private final Map<String, Set<ResourceID>> lastMapped = new ConcurrentHashMap<>();

    NodeToModules(IndexedResourceCache<Module> modules) {
        this.modules = modules;
    }

    @Override
    public Set<ResourceID> toPrimaryResourceIDs(Node node) {
        Map<String, String> labels = node.getMetadata().getLabels();
        Set<ResourceID> now = modules.list()
                .filter(m -> m.getSpec() != null && SelectedNodes.matches(m.getSpec().getSelector(), labels))
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());
        Set<ResourceID> before = lastMapped.put(node.getMetadata().getName(), now);
        if (before == null || before.isEmpty()) {
            return now;
        }
        Set<ResourceID> all = new HashSet<>(now);
        all.addAll(before);
        return all;
    }
}
