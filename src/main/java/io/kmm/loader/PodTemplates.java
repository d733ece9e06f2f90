package io.kmm.loader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.ModuleSpec;

/** What the loader and device-plugin DaemonSets have in common. */
final class PodTemplates {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PodTemplates() {
    }

    static DaemonSet daemonSet(Module module, String name, Map<String, String> labels, Container container,
            List<Volume> kmmVolumes, Map<String, String> nodeSelector, Affinity affinity) {
        ModuleSpec spec = module.getSpec();
        List<Volume> volumes = new ArrayList<>(kmmVolumes);
        if (spec.getAdditionalVolumes() != null) {
            volumes.addAll(spec.getAdditionalVolumes());
        }
        List<LocalObjectReference> pullSecrets = spec.getImageRepoSecret() == null ? null
                : List.of(new LocalObjectReference(spec.getImageRepoSecret().getName()));
        return new DaemonSetBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(module.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(new LinkedHashMap<>())
                .withOwnerReferences(io.kmm.meta.Owners.of(module))
                .endMetadata()
                .withNewSpec()
                .withNewSelector().withMatchLabels(new LinkedHashMap<>(labels)).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(new LinkedHashMap<>(labels)).endMetadata()
                .withNewSpec()
                .withContainers(container)
                .withVolumes(volumes)
                .withNodeSelector(nodeSelector)
                .withAffinity(affinity)
                .withServiceAccountName(spec.getServiceAccountName())
                .withImagePullSecrets(pullSecrets)
                .withTolerations(spec.getTolerations())
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /** A deep copy through JSON, so that a desired object never shares state with the Module it came from. */
    static <T> T copy(T value, Class<T> type) {
        return MAPPER.convertValue(value, type);
    }
}
