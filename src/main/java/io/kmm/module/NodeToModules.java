package io.kmm.module;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;
import io.kmm.node.NodeKernels;

/**
 * Maps a node event to the Modules it concerns: a new or deleted node to those whose selector matches it; an update
 * to those the node enters or leaves, and to those it stays in when its kernel changed.
 */
final class NodeToModules {

    private final IndexedResourceCache<Module> modules;

    NodeToModules(IndexedResourceCache<Module> modules) {
        this.modules = modules;
    }

    /**
     * @param old the node before the event (null: it was added)
     * @param now the node after it (null: it was deleted)
     */
    /**
     * A versioned Module's own version labels on the node changed (its target, loader, device-plugin or ready version):
     * its status.upgrade and staged rollout depend on them.
     */
    static boolean versionLabelsChanged(Module m, Map<String, String> before, Map<String, String> after) {
        if (m.getSpec().getVersion() == null || before == null) {
            return false;
        }
        String ns = m.getMetadata().getNamespace();
        String name = m.getMetadata().getName();
        for (String suffix : new String[] { Labels.VERSION_SUFFIX, Labels.LOADER_VERSION_SUFFIX,
                Labels.DEVICE_PLUGIN_VERSION_SUFFIX, Labels.VERSION_READY_SUFFIX }) {
            String key = Labels.moduleKey(ns, name, suffix);
            if (!java.util.Objects.equals(before.get(key), after == null ? null : after.get(key))) {
                return true;
            }
        }
        return false;
    }

    Set<ResourceID> toModules(Node old, Node now) {
        if (now == null) {
            return toModules(null, old); // a deleted node concerns the Modules it belonged to
        }
        Map<String, String> labels = now.getMetadata().getLabels();
        Map<String, String> oldLabels = old == null ? null : old.getMetadata().getLabels();
        boolean kernelChanged = old == null || !NodeKernels.kernelOf(old).equals(NodeKernels.kernelOf(now));
        return modules.list().filter(m -> {
            if (m.getSpec() == null) {
                return false;
            }
            boolean in = SelectedNodes.matches(m.getSpec().getSelector(), labels);
            boolean before = old != null && SelectedNodes.matches(m.getSpec().getSelector(), oldLabels);
            // A label change that neither moves the node in or out of the selector nor changes its kernel (e.g. the
            // module-ready labels KMM writes) changes nothing in the Module's plan.
            return in != before || (in && (kernelChanged || versionLabelsChanged(m, oldLabels, labels)));
        }).map(ResourceID::fromResource).collect(Collectors.toSet());
    }
}
