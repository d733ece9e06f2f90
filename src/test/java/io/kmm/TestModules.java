package io.kmm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kmm.api.v1alpha1.KernelMapping;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.ModuleSpec;

/** Builders for Modules and Nodes used across tests. */
public final class TestModules {

    private TestModules() {
    }

    public static KernelMapping literal(String kernel, String image) {
        KernelMapping m = new KernelMapping();
        m.setLiteral(kernel);
        m.setContainerImage(image);
        return m;
    }

    public static KernelMapping regexp(String regexp, String image) {
        KernelMapping m = new KernelMapping();
        m.setRegexp(regexp);
        m.setContainerImage(image);
        return m;
    }

    /** A Module with a loader that has a preStop hook, selecting nodes labelled {@code selectorKey=selectorValue}. */
    public static Module module(String namespace, String name, Map<String, String> selector, KernelMapping... mappings) {
        Module module = new Module();
        module.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withUid(name + "-uid")
                .withGeneration(1L).build());
        ModuleSpec spec = new ModuleSpec();
        spec.setModuleLoader(new ContainerBuilder().withName("ignored").withImage("ignored")
                .withNewLifecycle().withNewPreStop().withNewExec().withCommand("modprobe", "-r", "sample").endExec()
                .endPreStop().endLifecycle().build());
        spec.setSelector(selector == null ? null : new LinkedHashMap<>(selector));
        spec.setKernelMappings(new ArrayList<>(List.of(mappings)));
        module.setSpec(spec);
        return module;
    }

    public static Node node(String name, String kernel, Map<String, String> labels) {
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(new LinkedHashMap<>(labels)).endMetadata()
                .withNewStatus().withNewNodeInfo().withKernelVersion(kernel).endNodeInfo().endStatus().build();
    }
}
