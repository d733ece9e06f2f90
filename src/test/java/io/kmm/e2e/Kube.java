package io.kmm.e2e;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;
import io.kmm.status.Conditions;

/**
 * What a user reads off the cluster: Modules, their conditions, their DaemonSets and pods, their build Jobs, node
 * labels.
 */
final class Kube {

    private final KubernetesClient client;

    Kube(KubernetesClient client) {
        this.client = client;
    }

    Module module(String namespace, String name) {
        return client.resources(Module.class).inNamespace(namespace).withName(name).get();
    }

    Optional<Condition> condition(String namespace, String module, String type) {
        Module m = module(namespace, module);
        return m == null || m.getStatus() == null ? Optional.empty()
                : Conditions.find(m.getStatus().getConditions(), type);
    }

    String conditionStatus(String namespace, String module, String type) {
        return condition(namespace, module, type).map(Condition::getStatus).orElse(null);
    }

    /** Whether the status describes the current spec. */
    boolean observed(String namespace, String module) {
        Module m = module(namespace, module);
        return m != null && m.getStatus() != null
                && m.getMetadata().getGeneration().equals(m.getStatus().getObservedGeneration());
    }

    List<DaemonSet> daemonSets(String namespace, String module, String role) {
        return client.apps().daemonSets().inNamespace(namespace).withLabel(Labels.MODULE_NAME, module)
                .withLabel(Labels.ROLE, role).list().getItems();
    }

    List<DaemonSet> loaders(String namespace, String module) {
        return daemonSets(namespace, module, Labels.ROLE_MODULE_LOADER);
    }

    List<DaemonSet> devicePlugins(String namespace, String module) {
        return daemonSets(namespace, module, Labels.ROLE_DEVICE_PLUGIN);
    }

    /** Pods of a DaemonSet, by the node they run on (Ready ones only). */
    Map<String, String> readyPodsByNode(String namespace, DaemonSet ds) {
        return client.pods().inNamespace(namespace).withLabels(ds.getSpec().getSelector().getMatchLabels()).list()
                .getItems().stream().filter(Kube::ready)
                .collect(java.util.stream.Collectors.toMap(p -> p.getSpec().getNodeName(),
                        p -> p.getMetadata().getName(), (a, b) -> a + "," + b, java.util.TreeMap::new));
    }

    static boolean ready(Pod p) {
        return p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null
                && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** A Module's build objects (Kaniko Jobs) of one step: {@code build} (no step annotation) or {@code sign}. */
    List<io.fabric8.kubernetes.api.model.batch.v1.Job> buildJobs(String namespace, String module, String step) {
        return client.batch().v1().jobs().inNamespace(namespace).withLabel(Labels.ROLE, Labels.ROLE_BUILD)
                .withLabel(Labels.MODULE_NAME, module).list().getItems().stream()
                .filter(j -> step.equals(j.getMetadata().getAnnotations()
                        .getOrDefault(Labels.BUILD_STEP_ANNOTATION, "build")))
                .toList();
    }

    /** Whether a Job's pod runs (kwok makes it Ready; it completes a few seconds later). */
    boolean jobPodReady(io.fabric8.kubernetes.api.model.batch.v1.Job job) {
        return client.pods().inNamespace(job.getMetadata().getNamespace())
                .withLabel("job-name", job.getMetadata().getName()).list().getItems().stream().anyMatch(Kube::ready);
    }

    /** The status of a Job's condition ({@code Complete}, {@code Failed}), as the real Job controller sets it. */
    String jobCondition(io.fabric8.kubernetes.api.model.batch.v1.Job job, String type) {
        var current = client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace())
                .withName(job.getMetadata().getName()).get();
        return current == null || current.getStatus() == null || current.getStatus().getConditions() == null ? null
                : current.getStatus().getConditions().stream().filter(c -> type.equals(c.getType()))
                        .map(c -> c.getStatus()).findFirst().orElse(null);
    }

    String kernelLabel(String node) {
        return client.nodes().withName(node).get().getMetadata().getLabels().get(Labels.KERNEL_VERSION);
    }
}
