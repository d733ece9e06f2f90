package io.kmm.node;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.kmm.meta.Labels;

/** Lets through only node updates that change a module-ready label (e.g. someone removed one), never heartbeats. */
public class ReadyLabelFilter implements OnUpdateFilter<Node> {

    @Override
    public boolean accept(Node newNode, Node oldNode) {
        return !Objects.equals(readyLabels(newNode), readyLabels(oldNode));
    }

    static Map<String, String> readyLabels(Node node) {
        Map<String, String> ready = new TreeMap<>();
        Map<String, String> labels = node.getMetadata().getLabels();
        if (labels != null) {
            labels.forEach((k, v) -> {
                if (Labels.isModuleReady(k)) {
                    ready.put(k, v);
                }
            });
        }
        return ready;
    }
}
