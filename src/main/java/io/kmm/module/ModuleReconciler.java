package io.kmm.module;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.rate.RateLimited;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.ModuleSpec;
import io.kmm.api.v1alpha1.ModuleStatus;
import io.kmm.build.BuildStrategy;
import io.kmm.config.KmmConfig;
import io.kmm.kernel.SecurityPolicy;
import io.kmm.meta.Labels;
import io.kmm.registry.ImageChecks;
import io.kmm.status.BuildCounted;
import io.kmm.status.Conditions;
import io.kmm.status.ModuleReconciled;
import io.kmm.status.Reason;

/**
 * Reconciles a Module, one way through: <b>observe</b> (nodes, DaemonSets and builds from the informer caches) →
 * <b>resolve</b> (the spec validated, one resolution per kernel) → {@link ImageFacts} (the registry and signing
 * inputs, for images built or signed in the cluster) → <b>decide</b> ({@link ModulePlanner}: one {@link KernelPlan} per kernel and the actions) → <b>act</b>
 * ({@link ModuleActions}) → <b>status</b> ({@link ModuleStatusAggregator}), written only when it changed. A reconcile
 * that finds everything as desired sends nothing.
 */
// At most two reconciles per Module and second: a burst of node events (a fleet-wide kernel upgrade) is coalesced
// into a few reconciles and status writes instead of one per node. A new or changed Module reconciles at once.
@RateLimited(maxReconciliations = 2, within = 1, unit = TimeUnit.SECONDS)
@ControllerConfiguration(name = ModuleReconciler.NAME)
public class ModuleReconciler implements Reconciler<Module> {

    public static final String NAME = "module";
    private static final Logger LOG = Logger.getLogger(ModuleReconciler.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final Duration FIRST_RETRY = Duration.ofSeconds(10);
    static final Duration MAX_RETRY = Duration.ofMinutes(5);

    @Inject
    KmmConfig config;

    @Inject
    ModuleEvents events;

    @Inject
    Event<ModuleReconciled> reconciled;

    @Inject
    Event<BuildCounted> counted;

    @Inject
    BuildStrategy strategy;

    @Inject
    ImageChecks images;

    @Inject
    ImageFacts imageFacts;

    @Inject
    io.kmm.node.SharedNodes sharedNodes;

    /** The operator's one DaemonSet informer is this controller's; the node labeller reads it through this. */
    @Inject
    io.kmm.node.SharedDaemonSets sharedDaemonSets;

    /** The Module informer is this controller's; the preflight controller reads it through this. */
    @Inject
    io.kmm.node.SharedModules sharedModules;

    private volatile NodeEventSource nodes;
    private volatile InformerEventSource<DaemonSet, Module> daemonSets;
    /** Consecutive reconciles per Module (by UID) in which the registry could not be asked: the retry backoff. */
    private final Map<String, Integer> registryFailures = new ConcurrentHashMap<>();
    /** Per Module (namespace/name): how many reconciles in a row could not do everything (see actionBackoff). */
    private final Map<String, Integer> actionFailures = new ConcurrentHashMap<>();
    /**
     * DaemonSets this operator deleted, by uid: until the informer has seen one go, a reconcile must not take it for
     * existing (and delete it again). Entries are dropped after a minute (uids are never reused).
     */
    private final Map<String, Instant> deleting = new ConcurrentHashMap<>();
    /**
     * Modules whose rollout moved at their last reconcile, which looks again after kmm.status-progress-interval:
     * their DaemonSets' progress counts bring no reconcile until then.
     */
    private final Set<ResourceID> progressLooks = ConcurrentHashMap.newKeySet();

    @Override
    public List<EventSource<?, Module>> prepareEventSources(EventSourceContext<Module> context) {
        nodes = new NodeEventSource(sharedNodes, new NodeToModules(context.getPrimaryCache()),
                context.getControllerConfiguration().getConfigurationService().cacheSyncTimeout());
        daemonSets = sharedDaemonSets.source(InformerEventSourceConfiguration.from(DaemonSet.class, Module.class)
                .withName("daemonsets")
                .withLabelSelector(Labels.MANAGED_SELECTOR)
                // counts of starting pods wait for the paced look of a moving Module (every status-progress-interval)
                .withOnUpdateFilter(config.statusProgressInterval().isZero() ? null
                        : (now, old) -> DaemonSetEvents.matters(now, old)
                                || !progressLooks.contains(DaemonSetEvents.module(now)))
                .withItemStore(new PrunedStores.DaemonSets())
                .build(), context);
        List<EventSource<?, Module>> sources = new ArrayList<>(List.of(nodes, daemonSets,
                sharedModules.attach(context.getPrimaryCache())));
        sources.addAll(strategy.eventSources(context)); // only the chosen build system is watched
        return sources;
    }

    @Override
    public UpdateControl<Module> reconcile(Module module, Context<Module> context) {
        Instant now = Instant.now();
        SecurityPolicy policy = config.security().policy(config.registry().inCluster());
        Observed observed = observe(module, context, policy);
        ModulePlanner.Resolution resolution = ModulePlanner.resolve(observed.module(), observed.nodes(), policy);
        ImageFacts.Found facts = imageFacts.of(observed.module(), resolution, observed.daemonSets(),
                observed.builds(), UnaryOperator.identity());
        ModulePlan plan = ModulePlanner.plan(observed, resolution, facts.builds(), facts.signs(),
                new ModulePlanner.Settings(config.kernelLabelSource().labelKey(),
                        strategy.objectKind(), config.build().successfulBuildRetention(), now, policy));
        ModuleActions.Executed executed = new ModuleActions(context, daemonSets, events, strategy, counted, deleting)
                .execute(observed.module(), plan, observed.daemonSets());
        ModuleStatus status = ModuleStatusAggregator.aggregate(module, plan, executed, now);
        Duration rolloutLook = versionRollout(context, observed, plan, status, now);

        Duration statusDeferred = writeStatusIfChanged(context, module, status, plan, now);
        reconciled.fire(new ModuleReconciled(module.getMetadata().getNamespace(), module.getMetadata().getName(),
                status));
        UpdateControl<Module> control = UpdateControl.noUpdate();
        Duration requeue = BuildDecision.min(plan.requeueAfter(), registryBackoff(module, plan));
        requeue = BuildDecision.min(requeue, statusDeferred);
        requeue = BuildDecision.min(requeue, rolloutLook);
        ResourceID id = ResourceID.fromResource(module);
        if (!config.statusProgressInterval().isZero() && Conditions.isTrue(status.getConditions(), Conditions.PROGRESSING)
                && !status.equals(module.getStatus())) {
            // Moving: DaemonSets' progress counts bring no reconcile meanwhile (DaemonSetEvents), this look does.
            progressLooks.add(id);
            requeue = BuildDecision.min(requeue, config.statusProgressInterval());
        } else {
            // Settled, or stuck since the last look: the next progress count brings a reconcile again.
            progressLooks.remove(id);
        }
        requeue = BuildDecision.min(requeue, actionBackoff(module, executed));
        if (plan.kernels().stream().anyMatch(k -> k.sign() != null) || observed.imageRepoSecretMissing()) {
            // Secrets are read by name, not watched: a new key, certificate or pull secret is noticed at the latest
            // this late.
            requeue = BuildDecision.min(requeue, config.build().signingKeyRecheck());
        }
        if (requeue != null) {
            control.rescheduleAfter(requeue);
        }
        return control;
    }

    /**
     * A versioned Module: status.upgrade, and with a Staged rollout the next batch's node labels and its events.
     *
     * @return when to look again (a batch's timeout), or null
     */
    private Duration versionRollout(Context<Module> context, Observed observed, ModulePlan plan, ModuleStatus status,
            Instant now) {
        Module module = observed.module();
        if (module.getSpec().getVersion() == null || plan.podsBlocked()) {
            return null;
        }
        java.util.Set<String> targeted = new java.util.HashSet<>();
        plan.kernels().forEach(k -> {
            if (k.resolution() instanceof io.kmm.kernel.KernelResolution.Resolved r) {
                targeted.add(r.kernelLabel());
            }
        });
        List<VersionRollouts.NodeView> nodes = observed.versionNodes().stream()
                .filter(n -> targeted.contains(n.kernelLabel())).toList();
        VersionRollouts.Plan rollout = VersionRollouts.plan(module, nodes,
                module.getStatus() == null ? null : module.getStatus().getUpgrade(), now);
        String labelKey = io.kmm.meta.Labels.moduleKey(module.getMetadata().getNamespace(),
                module.getMetadata().getName(), io.kmm.meta.Labels.VERSION_SUFFIX);
        Map<String, String> moved = new LinkedHashMap<>();
        for (var e : rollout.label().entrySet()) {
            try {
                String patch = io.fabric8.kubernetes.client.utils.Serialization.asJson(
                        Map.of("metadata", Map.of("labels", Map.of(labelKey, e.getValue()))));
                // resource(node), not withName(name): by name the client GETs the node before the PATCH
                context.getClient().nodes().resource(new io.fabric8.kubernetes.api.model.NodeBuilder()
                        .withNewMetadata().withName(e.getKey()).endMetadata().build()).patch(
                        io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), patch);
                moved.put(e.getKey(), e.getValue());
            } catch (KubernetesClientException failed) {
                LOG.warnf("module %s: could not label node %s for version %s: %s", key(module), e.getKey(),
                        e.getValue(), describe(failed));
            }
        }
        if (!moved.isEmpty()) {
            // until the node cache shows them, the next reconcile takes these nodes as moved (no second batch)
            labelled.computeIfAbsent(key(module), u -> new ConcurrentHashMap<>()).putAll(moved);
            LOG.infof("module %s: version %s, moved nodes %s", key(module), module.getSpec().getVersion(),
                    moved.keySet());
        }
        if (rollout.event() != null) {
            if (rollout.event().warning()) {
                LOG.warnf("module %s: %s", key(module), rollout.event().message());
                events.warning(module, rollout.event().reason(), rollout.event().message());
            } else {
                events.normal(module, rollout.event().reason(), rollout.event().message());
            }
        }
        status.setUpgrade(rollout.status());
        return rollout.requeueAfter();
    }

    /**
     * Per Module (namespace/name): nodes its staged rollout labelled (node to version) that the node cache may not
     * show yet.
     */
    private final Map<String, Map<String, String>> labelled = new ConcurrentHashMap<>();

    /** The version labels of the selected nodes, for a versioned Module (or one with DaemonSets of versions). */
    private List<VersionRollouts.NodeView> versionNodes(Module module, List<io.fabric8.kubernetes.api.model.Node> nodes,
            Map<String, DaemonSet> owned) {
        if (module.getSpec().getVersion() == null && owned.values().stream().noneMatch(
                ds -> ds.getMetadata().getLabels() != null && ds.getMetadata().getLabels().containsKey(
                        io.kmm.meta.Labels.MODULE_VERSION))) {
            labelled.remove(key(module));
            return List.of();
        }
        String kernelKey = config.kernelLabelSource().labelKey();
        String ns = module.getMetadata().getNamespace();
        String name = module.getMetadata().getName();
        Map<String, String> pending = labelled.getOrDefault(key(module), Map.of());
        List<VersionRollouts.NodeView> views = new ArrayList<>();
        for (var n : nodes) {
            Map<String, String> labels = n.getMetadata().getLabels();
            String kernel = labels == null ? null : labels.get(kernelKey);
            if (kernel == null) {
                continue;
            }
            VersionRollouts.NodeView view = VersionRollouts.NodeView.of(n.getMetadata().getName(), kernel, labels, ns,
                    name);
            String moved = pending.get(view.name());
            if (moved != null) {
                if (moved.equals(view.target())) {
                    pending.remove(view.name()); // the cache has caught up
                } else {
                    view = new VersionRollouts.NodeView(view.name(), view.kernelLabel(), moved, view.loader(),
                            view.plugin(), view.ready());
                }
            }
            views.add(view);
        }
        return views;
    }

    /** Observe: what the informer caches hold for this Module. */
    private Observed observe(Module module, Context<Module> context, SecurityPolicy policy) {
        Module view = module;
        if (module.getSpec() == null) {
            // Only without the CRD's schema (reported in status): an empty spec to reason about, never written.
            view = new Module();
            view.setMetadata(module.getMetadata());
            view.setSpec(new ModuleSpec());
            view.setStatus(module.getStatus());
        }
        var selector = view.getSpec().getSelector();
        List<io.fabric8.kubernetes.api.model.Node> selectedNodes = nodes
                .list(n -> SelectedNodes.matches(selector, n.getMetadata().getLabels())
                        && policy.nodeAllowed(n.getMetadata().getLabels())).toList();
        SelectedNodes selected = SelectedNodes.of(selectedNodes);
        Map<String, DaemonSet> owned = new LinkedHashMap<>();
        Instant stale = Instant.now().minusSeconds(60);
        deleting.values().removeIf(when -> when.isBefore(stale));
        for (DaemonSet ds : context.getSecondaryResources(DaemonSet.class)) {
            if (!deleting.containsKey(ds.getMetadata().getUid())) {
                owned.put(ds.getMetadata().getName(), ds); // one we deleted is gone, whatever the cache says
            }
        }
        var pullSecret = view.getSpec().getImageRepoSecret();
        boolean pullSecretMissing = pullSecret != null && pullSecret.getName() != null
                && !pullSecret.getName().isBlank()
                && images.secretMissing(view.getMetadata().getNamespace(), pullSecret.getName());
        return new Observed(view, selected, Map.copyOf(owned), strategy.builds(view, context), pullSecretMissing,
                versionNodes(view, selectedNodes, owned));
    }

    /** After a failed registry check: 10 s, doubling to 5 min per consecutive failing reconcile. */
    private static String key(Module module) {
        return module.getMetadata().getNamespace() + "/" + module.getMetadata().getName();
    }

    /** A deleted Module's counters go with it. */
    void forget(@jakarta.enterprise.event.Observes io.kmm.status.ModuleDeleted deleted) {
        String key = deleted.namespace() + "/" + deleted.name();
        registryFailures.remove(key);
        actionFailures.remove(key);
        labelled.remove(key);
    }

    /** How many Modules the failure counters hold (for tests). */
    int trackedFailures() {
        return registryFailures.size() + actionFailures.size();
    }

    /**
     * Something was refused or failed (a quota, a webhook, the API server): tried again after 10 s, doubling to 5 min,
     * for as long as it lasts (JOSDK's own retries, for exceptions, stop after ten).
     */
    private Duration actionBackoff(Module module, ModuleActions.Executed executed) {
        String uid = key(module);
        if (!executed.incomplete()) {
            actionFailures.remove(uid);
            return null;
        }
        int failures = actionFailures.merge(uid, 1, Integer::sum);
        return Duration.ofSeconds(Math.min(MAX_RETRY.toSeconds(), FIRST_RETRY.toSeconds() << Math.min(failures - 1,
                10)));
    }

    private Duration registryBackoff(Module module, ModulePlan plan) {
        String uid = key(module);
        if (!plan.registryCheckFailed()) {
            registryFailures.remove(uid);
            return null;
        }
        int failures = registryFailures.merge(uid, 1, Integer::sum);
        return Duration.ofSeconds(Math.min(MAX_RETRY.toSeconds(),
                FIRST_RETRY.toSeconds() << Math.min(failures - 1, 10)));
    }

    /**
     * An error the reconcile did not expect (the API server refused a write, a timeout): the Module's Degraded
     * condition says so, with what the API server answered, and the reconcile is retried with backoff. A 409 conflict
     * is not reported: it only means the retry will see a newer object.
     */
    @Override
    public ErrorStatusUpdateControl<Module> updateErrorStatus(Module module, Context<Module> context, Exception e) {
        String id = module.getMetadata().getNamespace() + "/" + module.getMetadata().getName();
        String cause = describe(e);
        LOG.warnf("module %s: reconcile failed, will retry: %s", id, cause);
        int code = code(e);
        if (code != 409 && code != 404) {
            ModuleStatus status = ReconcileFailure.status(module, cause, Instant.now());
            if (!status.equals(module.getStatus())) {
                try {
                    writeStatus(context, module, status);
                } catch (KubernetesClientException writeFailed) {
                    LOG.debugf("module %s: could not report the failure in status: %s", id, describe(writeFailed));
                }
            }
        }
        return ErrorStatusUpdateControl.defaultErrorProcessing();
    }

    /** The HTTP status of the API server's answer behind an exception, or 0. */
    static int code(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k) {
                return k.getCode();
            }
        }
        return 0;
    }

    /** What went wrong, for the log and the Module's status: never a credential, never a stack trace. */
    static String describe(Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof KubernetesClientException)) {
            cause = cause.getCause(); // the Operator SDK wraps what the reconcile threw
        }
        if (cause instanceof KubernetesClientException k) {
            String message = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage()
                    : k.getMessage();
            return k.getCode() > 0 ? "the API server answered " + k.getCode() + ": " + message
                    : "the API server could not be reached: " + message;
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    /** @return null, or how long a progress-only change waits before it is written ({@link StatusPacing}) */
    private Duration writeStatusIfChanged(Context<Module> context, Module module, ModuleStatus status, ModulePlan plan,
            Instant now) {
        ModuleStatus previous = module.getStatus();
        if (status.equals(previous)) {
            return null;
        }
        String uid = module.getMetadata().getUid();
        Duration wait = StatusPacing.deferral(previous, status, uid == null ? null : lastStatusWrite.get(uid), now,
                config.statusProgressInterval());
        if (wait != null) {
            return wait;
        }
        writeStatus(context, module, status);
        if (uid != null) {
            if (lastStatusWrite.size() > 10_000) { // Modules come and go: forget the writes that no longer pace
                lastStatusWrite.values().removeIf(t -> t.isBefore(now.minus(config.statusProgressInterval())));
            }
            lastStatusWrite.put(uid, now);
        }
        String id = module.getMetadata().getNamespace() + "/" + module.getMetadata().getName();
        List<Announcements.Announcement> announcements = Announcements.between(previous, status, plan.warnings());
        announcements.stream().filter(a -> a.counted() != null).forEach(a -> counted.fire(a.counted()));
        for (Announcements.Announcement a : announcements) {
            if (a.warning()) {
                if (a.reason().use() != Reason.Use.EVENT) {
                    LOG.warnf("module %s: %s", id, a.message());
                }
                events.warning(module, a.reason(), a.message());
            } else {
                events.normal(module, a.reason(), a.message());
            }
        }
        return null;
    }

    /** When this operator last wrote each Module's status (by UID), for {@link StatusPacing}. */
    private final java.util.Map<String, Instant> lastStatusWrite = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Replaces the status (the status subresource's update: optimistic locking on the Module's resourceVersion, the
     * verb the design grants). The spec is never written.
     */
    private static void writeStatus(Context<Module> context, Module module, ModuleStatus status) {
        Module copy = new Module();
        copy.setMetadata(MAPPER.convertValue(module.getMetadata(), ObjectMeta.class));
        copy.setSpec(module.getSpec());
        copy.setStatus(status);
        Module updated = context.getClient().resource(copy).updateStatus();
        // The next reconcile starts from what was just written, not from the informer's older copy (whose
        // resourceVersion would make that reconcile's status write a conflict).
        context.eventSourceRetriever().getControllerEventSource().handleRecentResourceUpdate(
                ResourceID.fromResource(updated), updated, module);
    }

    /** The status that reports an unexpected failure: the last computed status with Degraded (and Ready) saying so. */
    static final class ReconcileFailure {

        private ReconcileFailure() {
        }

        static ModuleStatus status(Module module, String cause, Instant now) {
            ModuleStatus previous = module.getStatus();
            ModuleStatus status = previous == null ? new ModuleStatus()
                    : MAPPER.convertValue(previous, ModuleStatus.class);
            Long generation = module.getMetadata().getGeneration();
            var conditions = status.getConditions();
            String message = "the last reconcile failed and is retried with backoff: " + cause;
            List<io.fabric8.kubernetes.api.model.Condition> next = new ArrayList<>();
            next.add(Conditions.of(Conditions.READY, false, Reason.DEGRADED, "see the Degraded condition",
                    generation, conditions, now));
            Conditions.find(conditions, Conditions.PROGRESSING).ifPresent(next::add);
            next.add(Conditions.of(Conditions.DEGRADED, true, Reason.RECONCILE_FAILED, message, generation,
                    conditions, now));
            status.setConditions(next);
            return status;
        }
    }
}
