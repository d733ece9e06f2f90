package io.kmm.module;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The Module controller's caches of DaemonSets and build Jobs keep what a reconcile reads, not what someone put in
 * them: anyone who may create Jobs or DaemonSets can give them KMM's labels, so a cache that kept whole objects would
 * let them fill the operator's heap (a Kubernetes object may be 1.5 MB). Labels and annotations are cut to KMM's own
 * keys, owner references to Modules; a DaemonSet's spec is kept only when a Module controls it (the drift check reads
 * it), a Job keeps its status only. Pure, but for the stores.
 */
public final class PrunedStores {

    /** A message in a kept condition is cut to this. */
    static final int MAX_MESSAGE = 512;

    private PrunedStores() {
    }

    static ObjectMeta meta(ObjectMeta meta) {
        List<OwnerReference> modules = meta.getOwnerReferences() == null ? List.of()
                : meta.getOwnerReferences().stream().filter(o -> Module.KIND.equals(o.getKind())
                        || io.kmm.api.v1alpha1.PreflightValidation.KIND.equals(o.getKind())).limit(2).toList();
        return new ObjectMetaBuilder().withName(meta.getName()).withNamespace(meta.getNamespace())
                .withUid(meta.getUid()).withResourceVersion(meta.getResourceVersion())
                .withGeneration(meta.getGeneration()).withCreationTimestamp(meta.getCreationTimestamp())
                .withDeletionTimestamp(meta.getDeletionTimestamp()).withLabels(kmmKeys(meta.getLabels()))
                .withAnnotations(kmmKeys(meta.getAnnotations())).withOwnerReferences(modules).build();
    }

    /** KMM's own keys (its domain, and managed-by), values cut to what a label may hold at most. */
    static Map<String, String> kmmKeys(Map<String, String> map) {
        if (map == null) {
            return null;
        }
        Map<String, String> kept = new TreeMap<>();
        map.forEach((k, v) -> {
            if ((k.startsWith(Labels.DOMAIN) || k.equals(Labels.MANAGED_BY)) && k.length() <= 317) {
                kept.put(k, v == null || v.length() <= 1024 ? v : v.substring(0, 1024));
            }
        });
        return kept;
    }

    static boolean controlledByModule(HasMetadata o) {
        return o.getMetadata().getOwnerReferences() != null && o.getMetadata().getOwnerReferences().stream()
                .anyMatch(r -> Module.KIND.equals(r.getKind()) && Boolean.TRUE.equals(r.getController()));
    }

    public static DaemonSet prune(DaemonSet ds) {
        DaemonSetBuilder b = new DaemonSetBuilder().withApiVersion(ds.getApiVersion()).withKind(ds.getKind())
                .withMetadata(meta(ds.getMetadata()));
        if (controlledByModule(ds)) {
            b.withSpec(ds.getSpec());
        }
        var s = ds.getStatus();
        if (s != null) {
            b.withStatus(new DaemonSetStatusBuilder().withObservedGeneration(s.getObservedGeneration())
                    .withDesiredNumberScheduled(s.getDesiredNumberScheduled())
                    .withCurrentNumberScheduled(s.getCurrentNumberScheduled()).withNumberReady(s.getNumberReady())
                    .withNumberAvailable(s.getNumberAvailable()).withNumberUnavailable(s.getNumberUnavailable())
                    .withUpdatedNumberScheduled(s.getUpdatedNumberScheduled())
                    .withNumberMisscheduled(s.getNumberMisscheduled()).build());
        }
        return b.build();
    }

    public static Job prune(Job job) {
        JobBuilder b = new JobBuilder().withApiVersion(job.getApiVersion()).withKind(job.getKind())
                .withMetadata(meta(job.getMetadata()));
        var s = job.getStatus();
        if (s != null) {
            List<JobCondition> conditions = s.getConditions() == null ? null : s.getConditions().stream().limit(8)
                    .map(c -> new JobConditionBuilder().withType(c.getType()).withStatus(c.getStatus())
                            .withReason(c.getReason()).withLastTransitionTime(c.getLastTransitionTime())
                            .withMessage(c.getMessage() == null || c.getMessage().length() <= MAX_MESSAGE
                                    ? c.getMessage() : c.getMessage().substring(0, MAX_MESSAGE) + "...")
                            .build()).toList();
            b.withNewStatus().withActive(s.getActive()).withSucceeded(s.getSucceeded()).withFailed(s.getFailed())
                    .withCompletionTime(s.getCompletionTime()).withStartTime(s.getStartTime())
                    .withConditions(conditions).endStatus();
        }
        return b.build();
    }

    @RegisterForReflection
    public static class DaemonSets extends BasicItemStore<DaemonSet> {

        public DaemonSets() {
            super(Cache::metaNamespaceKeyFunc);
        }

        @Override
        public DaemonSet put(String key, DaemonSet ds) {
            return super.put(key, prune(ds));
        }
    }

    @RegisterForReflection
    public static class Jobs extends BasicItemStore<Job> {

        public Jobs() {
            super(Cache::metaNamespaceKeyFunc);
        }

        @Override
        public Job put(String key, Job job) {
            return super.put(key, prune(job));
        }
    }
}
