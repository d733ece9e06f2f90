package io.kmm.build.kaniko;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kmm.api.v1alpha1.Module;
import io.kmm.build.BuildObjects;
import io.kmm.build.BuildPhase;
import io.kmm.build.BuildRequest;
import io.kmm.build.BuildState;
import io.kmm.build.BuildStrategy;
import io.kmm.config.KmmConfig;
import io.kmm.meta.Labels;

/** Builds with a Kaniko batch/v1 Job per Module, kernel and set of inputs (upstream Kubernetes). */
// Typed to its class: the one injectable BuildStrategy is the one BuildStrategySelector chooses.
@ApplicationScoped
@Typed(KanikoBuildStrategy.class)
public class KanikoBuildStrategy implements BuildStrategy {

    @Inject
    KmmConfig config;

    private volatile InformerEventSource<Job, Module> jobs;

    @Override
    public String objectKind() {
        return "Job";
    }

    @Override
    public List<EventSource<?, Module>> eventSources(EventSourceContext<Module> context) {
        jobs = new InformerEventSource<>(InformerEventSourceConfiguration.from(Job.class, Module.class)
                .withName("build-jobs").withLabelSelector(Labels.BUILD_SELECTOR)
                .withItemStore(new io.kmm.module.PrunedStores.Jobs()).build(), context);
        return List.of(jobs);
    }

    /** The Kaniko executor image: a new one means new builds. */
    @Override
    public String builderInputs() {
        return config.build().kanikoImage();
    }

    @Override
    public String buildName(BuildRequest request) {
        return request.objectName();
    }

    @Override
    public List<BuildState> builds(Module module, Context<Module> context) {
        return context.getSecondaryResourcesAsStream(Job.class)
                .filter(j -> BuildObjects.belongsTo(j, module))
                .map(j -> withWhy(state(j), j, context.getClient())).toList();
    }

    @Override
    public List<BuildState> preflightBuilds(String preflightUid, Module module, io.fabric8.kubernetes.client.KubernetesClient client) {
        InformerEventSource<Job, Module> source = jobs;
        return source == null ? List.of() : source.list(j -> BuildObjects.ownedBy(j, preflightUid, module))
                .map(j -> withWhy(state(j), j, client)).toList();
    }

    /**
     * Why a failed build failed, in Kaniko's words: the failing step and its errors, from its pod's termination
     * message (read once per failed Job, kept for the Job's life; a failed Job is not retried). The Job condition's
     * own message ("reached the specified backoff limit") follows.
     */
    private BuildState withWhy(BuildState state, Job job, io.fabric8.kubernetes.client.KubernetesClient client) {
        if (state.phase() != BuildPhase.FAILED || job.getMetadata().getUid() == null) {
            return state;
        }
        String uid = job.getMetadata().getUid();
        String why = failures.get(uid);
        if (why == null) {
            try {
                why = java.util.Objects.requireNonNullElse(failedStep(job, client), "");
                failures.put(uid, why);
            } catch (KubernetesClientException e) {
                return state; // asked again at the next reconcile
            }
        }
        return why.isEmpty() ? state : new BuildState(state.name(), state.kernel(), state.inputsHash(), state.phase(),
                state.finishedAt(), why + (state.message() == null ? "" : " (" + state.message() + ")"),
                state.step());
    }

    private static String failedStep(Job job, io.fabric8.kubernetes.client.KubernetesClient client) {
        var pods = client.pods().inNamespace(job.getMetadata().getNamespace())
                .withLabel("batch.kubernetes.io/job-name", job.getMetadata().getName()).list().getItems();
        for (var pod : pods) {
            if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
                continue;
            }
            for (var c : pod.getStatus().getContainerStatuses()) {
                var terminated = c.getState() == null ? null : c.getState().getTerminated();
                if (KanikoJobs.CONTAINER.equals(c.getName()) && terminated != null
                        && terminated.getExitCode() != null && terminated.getExitCode() != 0) {
                    String summary = KanikoFailure.summary(terminated.getMessage());
                    if (summary != null) {
                        return summary;
                    }
                }
            }
        }
        return null;
    }

    /** Failed Jobs' summaries by Job UID; bounded (the oldest forgotten: read again if still asked for). */
    private final java.util.Map<String, String> failures = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, String> eldest) {
                    return size() > 1024;
                }
            });

    @Override
    public BuildState start(BuildRequest request, io.fabric8.kubernetes.client.KubernetesClient client) {
        Job desired = KanikoJobs.desired(request, config.build().kanikoImage(), new KanikoJobs.JobLimits(
                config.build().backoffLimit(), config.build().activeDeadline(), config.build().ttlAfterFinished(),
                config.build().resources().requirements()),
                io.kmm.registry.InClusterRegistry.of(config.registry().inCluster()));
        try {
            Job created = client.resource(desired).create();
            jobs.handleRecentResourceCreate(ResourceID.fromResource(created), created);
            return state(created);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return new BuildState(desired.getMetadata().getName(), request.kernel(), request.inputsHash(),
                        BuildPhase.PENDING, null, null, request.step());
            }
            throw e;
        }
    }

    @Override
    public void delete(String namespace, String name, io.fabric8.kubernetes.client.KubernetesClient client) {
        client.batch().v1().jobs().inNamespace(namespace).withName(name)
                .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
    }

    /** The phase of a Job, as the Job controller reports it. */
    static BuildState state(Job job) {
        var status = job.getStatus();
        BuildPhase phase = BuildPhase.PENDING;
        Instant finished = null;
        String message = null;
        if (status != null) {
            JobCondition failed = condition(status.getConditions(), "Failed");
            if (status.getSucceeded() != null && status.getSucceeded() > 0
                    || condition(status.getConditions(), "Complete") != null) {
                phase = BuildPhase.SUCCEEDED;
                finished = parse(status.getCompletionTime());
            } else if (failed != null) {
                phase = BuildPhase.FAILED;
                finished = parse(failed.getLastTransitionTime());
                message = failed.getReason() + (failed.getMessage() == null ? "" : ": " + failed.getMessage());
            } else if (status.getActive() != null && status.getActive() > 0 || finishing(status)) {
                phase = BuildPhase.RUNNING;
            }
        }
        return new BuildState(job.getMetadata().getName(), BuildObjects.kernel(job),
                BuildObjects.annotation(job, Labels.BUILD_INPUTS_ANNOTATION), phase, finished, message,
                BuildObjects.step(job));
    }

    /**
     * The pod has ended but the Job controller has not counted it yet (pods tracked with finalizers go through
     * uncountedTerminatedPods, active is already 0): still running, not back to pending.
     */
    private static boolean finishing(io.fabric8.kubernetes.api.model.batch.v1.JobStatus status) {
        var uncounted = status.getUncountedTerminatedPods();
        return uncounted != null && (uncounted.getSucceeded() != null && !uncounted.getSucceeded().isEmpty()
                || uncounted.getFailed() != null && !uncounted.getFailed().isEmpty())
                || status.getTerminating() != null && status.getTerminating() > 0;
    }

    private static JobCondition condition(List<JobCondition> conditions, String type) {
        return conditions == null ? null : conditions.stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus())).findFirst().orElse(null);
    }


    static Instant parse(String time) {
        try {
            return time == null ? null : Instant.parse(time);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
