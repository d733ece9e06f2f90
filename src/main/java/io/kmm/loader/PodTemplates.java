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

    /**
     * Loaders and device plugins are part of the node: under resource pressure the kubelet evicts them last, and the
     * scheduler may preempt ordinary pods to place them. The API server admits this class in any namespace (a
     * ResourceQuota scoped to it can still limit its use, docs/security.md).
     */
    static final String PRIORITY_CLASS = "system-node-critical";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PodTemplates() {
    }

    static DaemonSet daemonSet(Module module, String name, Map<String, String> labels, Container container,
            List<Volume> kmmVolumes, Map<String, String> nodeSelector, Affinity affinity) {
        ModuleSpec spec = module.getSpec();
        List<Volume> volumes = new ArrayList<>(kmmVolumes);
        if (spec.getAdditionalVolumes() != null) {
            for (Volume v : spec.getAdditionalVolumes()) {
                Volume copy = copy(v, Volume.class);
                // a host directory that exists, never one the kubelet would create (MappingValidation allows no other)
                if (copy.getHostPath() != null && (copy.getHostPath().getType() == null
                        || copy.getHostPath().getType().isEmpty())) {
                    copy.getHostPath().setType(io.kmm.kernel.HostPaths.TYPE);
                }
                volumes.add(copy);
            }
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
                // One node at a time, the old pod gone before the new one starts (never two loaders on a node: the
                // old one's preStop would unload what the new one loaded), and a node whose new pod does not become
                // Ready stops the rollout there.
                .withNewUpdateStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxUnavailable(new io.fabric8.kubernetes.api.model.IntOrString(1))
                .withMaxSurge(new io.fabric8.kubernetes.api.model.IntOrString(0))
                .endRollingUpdate().endUpdateStrategy()
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
                .withPriorityClassName(PRIORITY_CLASS)
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /**
     * Control-plane nodes are never targeted unless the admin allows it: the selector cannot say "not", so an affinity
     * does (the DaemonSet controller keeps its terms when it adds its own node name).
     */
    static Affinity affinity(io.kmm.kernel.SecurityPolicy policy) {
        if (policy.controlPlaneNodes()) {
            return null;
        }
        var term = new io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder();
        for (String label : io.kmm.kernel.SecurityPolicy.CONTROL_PLANE_LABELS) {
            term.addNewMatchExpression().withKey(label).withOperator("DoesNotExist").endMatchExpression();
        }
        return new io.fabric8.kubernetes.api.model.AffinityBuilder().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().withNodeSelectorTerms(term.build())
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build();
    }

    /** A deep copy through JSON, so that a desired object never shares state with the Module it came from. */
    static <T> T copy(T value, Class<T> type) {
        return MAPPER.convertValue(value, type);
    }
}
