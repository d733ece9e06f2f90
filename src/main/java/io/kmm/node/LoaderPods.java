package io.kmm.node;

import java.util.Objects;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What the module-ready labeller reads of a loader pod: its node, its Module, whether it is Ready. The informer's
 * cache ({@link Store}) keeps only that, as the Node caches do.
 */
public final class LoaderPods {

    private LoaderPods() {
    }

    /** Ready, and not being deleted: a module whose loader is stopping is about to be unloaded. */
    public static boolean ready(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
                && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    public static String nodeName(Pod pod) {
        return pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    }

    /** The object that controls the pod (its DaemonSet), if any. */
    public static io.fabric8.kubernetes.api.model.OwnerReference controller(io.fabric8.kubernetes.api.model.HasMetadata o) {
        if (o.getMetadata().getOwnerReferences() == null) {
            return null;
        }
        return o.getMetadata().getOwnerReferences().stream().filter(r -> Boolean.TRUE.equals(r.getController()))
                .findFirst().orElse(null);
    }

    /** Lets through only what changes a label: readiness, the node, deletion. */
    public static boolean relevantChange(Pod newPod, Pod oldPod) {
        return ready(newPod) != ready(oldPod) || !Objects.equals(nodeName(newPod), nodeName(oldPod));
    }

    /** The parts of a loader pod the labeller reads (with its controller: only KMM's DaemonSets count). Pure. */
    public static Pod prune(Pod pod) {
        ObjectMeta meta = pod.getMetadata();
        PodBuilder pruned = new PodBuilder().withApiVersion(pod.getApiVersion()).withKind(pod.getKind())
                .withNewMetadata().withName(meta.getName()).withNamespace(meta.getNamespace()).withUid(meta.getUid())
                .withResourceVersion(meta.getResourceVersion()).withGeneration(meta.getGeneration())
                .withCreationTimestamp(meta.getCreationTimestamp()).withDeletionTimestamp(meta.getDeletionTimestamp())
                .withLabels(meta.getLabels()).withOwnerReferences(controller(pod) == null ? java.util.List.of()
                        : java.util.List.of(controller(pod))).endMetadata()
                .withNewSpec().withNodeName(nodeName(pod)).endSpec();
        if (ready(pod)) {
            pruned.withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus();
        }
        return pruned.build();
    }

    /** The informer cache of loader pods, pruned. */
    @RegisterForReflection
    public static class Store extends BasicItemStore<Pod> {

        public Store() {
            super(Cache::metaNamespaceKeyFunc);
        }

        @Override
        public Pod put(String key, Pod pod) {
            return super.put(key, prune(pod));
        }
    }
}
