package io.kmm.loader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.ModuleSpec;
import io.kmm.meta.LabelValues;
import io.kmm.meta.Labels;

/** What the loader and device-plugin DaemonSets have in common. */
final class PodTemplates {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PodTemplates() {
    }

    static Map<String, String> baseLabels(String moduleName, String role) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.MODULE_NAME, LabelValues.normalise(moduleName));
        labels.put(Labels.ROLE, role);
        labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
        return labels;
    }

    /**
     * Owner reference to the Module, so that deleting the Module deletes its DaemonSets. blockOwnerDeletion is
     * left unset: setting it needs update rights on modules/finalizers, which the operator does not have.
     */
    static OwnerReference ownerReference(Module module) {
        return new OwnerReferenceBuilder().withApiVersion(Module.API_VERSION).withKind(Module.KIND)
                .withName(module.getMetadata().getName()).withUid(module.getMetadata().getUid())
                .withController(true).build();
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
                .withOwnerReferences(ownerReference(module))
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
