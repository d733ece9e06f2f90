package io.kmm.module;

import static io.kmm.TestModules.literal;
import static io.kmm.TestModules.module;
import static io.kmm.TestModules.node;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;

/** Which Modules a node event brings back: only those whose plan it can change. */
class NodeToModulesTest {

    static final Module GPU = module("ns", "gpu", Map.of("pool", "gpu"), literal("6.1.0", "img:1"));
    static final Module OTHER = module("ns", "other", Map.of("pool", "other"), literal("6.1.0", "img:1"));

    static final IndexedResourceCache<Module> MODULES = new IndexedResourceCache<>() {
        @Override
        public Optional<Module> get(ResourceID id) {
            return Stream.of(GPU, OTHER).filter(m -> ResourceID.fromResource(m).equals(id)).findFirst();
        }

        @Override
        public Stream<ResourceID> keys() {
            return Stream.of(GPU, OTHER).map(ResourceID::fromResource);
        }

        @Override
        public Stream<Module> list(Predicate<Module> predicate) {
            return Stream.of(GPU, OTHER).filter(predicate);
        }

        @Override
        public Stream<Module> list(String namespace, Predicate<Module> predicate) {
            return list(predicate);
        }

        @Override
        public List<Module> byIndex(String index, String key) {
            return List.of();
        }
    };

    static Set<ResourceID> update(NodeToModules mapper, Node old, Node now) {
        return mapper.toModules(old, now);
    }

    static Node withLabel(Node n, String key, String value) {
        Map<String, String> labels = new HashMap<>(n.getMetadata().getLabels());
        labels.put(key, value);
        Node copy = node(n.getMetadata().getName(), n.getStatus().getNodeInfo().getKernelVersion(), labels);
        return copy;
    }

    @Test
    void onlyChangesThatMatterToAModuleBringItBack() {
        NodeToModules mapper = new NodeToModules(MODULES);
        Node n = node("n1", "6.1.0", Map.of("pool", "gpu"));
        ResourceID gpu = ResourceID.fromResource(GPU);

        assertThat(mapper.toModules(null, n)).as("a new node").containsExactly(gpu);
        assertThat(mapper.toModules(n, null)).as("a deleted node").containsExactly(gpu);
        assertThat(update(mapper, n, withLabel(n, Labels.moduleReady("ns", "gpu"), "true")))
                .as("a label that changes no selection (a module-ready label)").isEmpty();
        assertThat(update(mapper, n, node("n1", "6.2.0", Map.of("pool", "gpu")))).as("a kernel upgrade")
                .containsExactly(gpu);
        assertThat(update(mapper, n, node("n1", "6.1.0", Map.of("pool", "other")))).as("moved to another pool")
                .containsExactlyInAnyOrder(gpu, ResourceID.fromResource(OTHER));
    }

    @Test
    void aVersionedModuleHearsOfItsOwnVersionLabelsOnly() {
        Module versioned = module("ns", "gpu", Map.of("pool", "gpu"), literal("6.1.0", "img:1"));
        versioned.getSpec().setVersion("2.0");
        Node n = node("n1", "6.1.0", Map.of("pool", "gpu"));
        Map<String, String> before = n.getMetadata().getLabels();
        assertThat(NodeToModules.versionLabelsChanged(versioned, before, withLabel(n,
                Labels.moduleKey("ns", "gpu", Labels.VERSION_READY_SUFFIX), "2.0").getMetadata().getLabels())).isTrue();
        assertThat(NodeToModules.versionLabelsChanged(versioned, before, withLabel(n,
                Labels.moduleKey("ns", "other", Labels.VERSION_READY_SUFFIX), "2.0").getMetadata().getLabels()))
                .as("another Module's").isFalse();
        assertThat(NodeToModules.versionLabelsChanged(GPU, before, withLabel(n,
                Labels.moduleKey("ns", "gpu", Labels.VERSION_READY_SUFFIX), "2.0").getMetadata().getLabels()))
                .as("an unversioned Module").isFalse();
    }
}
