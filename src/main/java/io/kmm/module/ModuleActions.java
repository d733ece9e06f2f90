package io.kmm.module;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kmm.api.v1alpha1.Module;
import io.kmm.build.BuildRequest;
import io.kmm.build.BuildState;
import io.kmm.build.BuildStrategy;
import io.kmm.meta.Labels;
import io.kmm.status.BuildCounted;
import io.kmm.status.Reason;

/**
 * Carries out a {@link ModulePlan}'s actions, and nothing else: builds started and deleted through the build
 * strategy; DaemonSets created, updated (labels and annotations others added are kept) and deleted. It tells the
 * informer cache about its own writes and records one event per kind of change.
 */
final class ModuleActions {

    private static final Logger LOG = Logger.getLogger(ModuleActions.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * What exists after the actions, and what could not be done. Every action is tried, whatever happened to the
     * others: one refused write never holds back the Module's other kernels.
     *
     * @param daemonSets the Module's DaemonSets by name
     * @param rejected DaemonSet name to the API server's reason, for DaemonSets the API server refused
     * @param refusedBuilds kernel to the API server's reason, for builds it refused (a quota, a webhook)
     * @param failures other actions that failed (the API server unreachable, an error of its own), described
     */
    record Executed(Map<String, DaemonSet> daemonSets, Map<String, String> rejected, Map<String, String> refusedBuilds,
            List<String> failures) {

        Executed(Map<String, DaemonSet> daemonSets, Map<String, String> rejected) {
            this(daemonSets, rejected, Map.of(), List.of());
        }

        /** Something was not done: try again later. */
        boolean incomplete() {
            return !rejected.isEmpty() || !refusedBuilds.isEmpty() || !failures.isEmpty();
        }
    }

    private final KubernetesClient client;
    private final InformerEventSource<DaemonSet, Module> daemonSets;
    private final ModuleEvents events;
    private final BuildStrategy builds;
    private final Context<Module> context;
    private final jakarta.enterprise.event.Event<BuildCounted> counted;

    /** DaemonSets this operator deleted (by uid), until the informer has seen them go. */
    private final Map<String, java.time.Instant> deleting;

    ModuleActions(Context<Module> context, InformerEventSource<DaemonSet, Module> daemonSets, ModuleEvents events,
            BuildStrategy builds, jakarta.enterprise.event.Event<BuildCounted> counted,
            Map<String, java.time.Instant> deleting) {
        this.deleting = deleting;
        this.client = context.getClient();
        this.context = context;
        this.daemonSets = daemonSets;
        this.events = events;
        this.builds = builds;
        this.counted = counted;
    }

    /** @param observed the Module's DaemonSets by name, as observed */
    Executed execute(Module module, ModulePlan plan, Map<String, DaemonSet> observed) {
        String id = module.getMetadata().getNamespace() + "/" + module.getMetadata().getName();
        Map<String, DaemonSet> current = new LinkedHashMap<>(observed);
        Map<String, String> rejected = new LinkedHashMap<>();
        Map<String, String> refusedBuilds = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        List<String> created = new ArrayList<>();
        List<String> updated = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        for (Action action : plan.actions()) {
            try {
                if (action instanceof Action.StartBuild start) {
                    startBuild(module, id, start.request(), refusedBuilds);
                } else if (action instanceof Action.DeleteBuild delete) {
                    LOG.infof("module %s kernel %s: deleting build %s %s (%s)", id, delete.kernel(),
                            builds.objectKind(), delete.name(), delete.why());
                    builds.delete(module, delete.name(), context);
                } else if (action instanceof Action.CreateDaemonSet create) {
                    if (create(id, create.desired(), current, rejected)) {
                        created.add(describe(create.desired()) + " " + create.desired().getMetadata().getName());
                    }
                } else if (action instanceof Action.UpdateDaemonSet u) {
                    if (update(module, id, u, current, rejected)) {
                        updated.add(describe(u.desired()) + " " + u.actual().getMetadata().getName());
                    }
                } else if (action instanceof Action.DeleteDaemonSet delete) {
                    DaemonSet ds = delete.actual();
                    delete(id, ds);
                    current.remove(ds.getMetadata().getName());
                    deleted.add(describe(ds) + " " + ds.getMetadata().getName());
                }
            } catch (KubernetesClientException | IllegalStateException e) {
                // the API server unreachable, or an answer of its own: the other actions still run
                String what = describe(action) + ": " + (e instanceof KubernetesClientException k ? reason(k)
                        : e.getMessage());
                failures.add(what);
                LOG.warnf("module %s: %s (tried again later)", id, what);
            }
        }
        // One event per kind of change and reconcile, not one per DaemonSet.
        announce(module, Reason.DAEMON_SET_CREATED, "Created", created, "");
        announce(module, Reason.DAEMON_SET_UPDATED, "Updated", updated, "");
        announce(module, Reason.DAEMON_SET_DELETED, "Deleted", deleted, " (no selected node needs them any more)");
        return new Executed(current, rejected, refusedBuilds, failures);
    }

    private static String describe(Action action) {
        if (action instanceof Action.StartBuild start) {
            return "starting the build of kernel " + start.request().kernel();
        } else if (action instanceof Action.DeleteBuild delete) {
            return "deleting build " + delete.name();
        } else if (action instanceof Action.CreateDaemonSet create) {
            return "creating DaemonSet " + create.desired().getMetadata().getName();
        } else if (action instanceof Action.UpdateDaemonSet u) {
            return "updating DaemonSet " + u.actual().getMetadata().getName();
        } else if (action instanceof Action.DeleteDaemonSet delete) {
            return "deleting DaemonSet " + delete.actual().getMetadata().getName();
        }
        return action.toString();
    }

    private void startBuild(Module module, String id, BuildRequest request, Map<String, String> refused) {
        BuildState started;
        try {
            started = builds.start(module, request, context);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403 || e.getCode() == 422 || e.getCode() == 400) {
                // a ResourceQuota, a LimitRange or an admission webhook said no: reported on the kernel, tried again
                refused.put(request.kernel(), reason(e));
                LOG.warnf("module %s kernel %s: the API server refused the %s: %s", id, request.kernel(),
                        builds.objectKind(), reason(e));
                return;
            }
            throw e;
        }
        boolean signs = request.step() == io.kmm.build.BuildStep.SIGN;
        LOG.infof("module %s kernel %s: image %s is missing, started %s %s %s", id, request.kernel(),
                request.image(), signs ? "signing" : "build", builds.objectKind(), started.name());
        counted.fire(signs ? BuildCounted.SIGN_CREATED : BuildCounted.CREATED);
        events.normal(module, signs ? Reason.SIGN_CREATED : Reason.BUILD_CREATED, (signs ? "Signing " : "Building ")
                + request.image() + " for kernel " + request.kernel() + " with " + builds.objectKind() + " "
                + started.name());
    }

    private void announce(Module module, Reason reason, String verb, List<String> what, String why) {
        if (!what.isEmpty()) {
            events.normal(module, reason, verb + " DaemonSet" + (what.size() > 1 ? "s" : "") + ": "
                    + String.join("; ", what) + why);
        }
    }

    /** @return whether the DaemonSet was created by this call */
    private boolean create(String id, DaemonSet ds, Map<String, DaemonSet> current,
            Map<String, String> rejected) {
        String name = ds.getMetadata().getName();
        try {
            // a copy: the planner's desired DaemonSets are shared between reconciles (ModuleLoaderDaemonSets)
            DaemonSet created = client.resource(MAPPER.convertValue(ds, DaemonSet.class)).create();
            daemonSets.handleRecentResourceCreate(ResourceID.fromResource(created), created);
            current.put(name, created);
            LOG.infof("module %s: created DaemonSet %s (%s)", id, name, describe(ds));
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                // Created by an earlier reconcile whose result the informer has not delivered yet.
                LOG.debugf("module %s: DaemonSet %s already exists", id, name);
            } else if (e.getCode() == 422 || e.getCode() == 400 || e.getCode() == 403) {
                rejected.put(name, reason(e));
                LOG.warnf("module %s: the API server rejected DaemonSet %s: %s", id, name, reason(e));
            } else {
                throw e;
            }
            return false;
        }
    }

    /** @return whether the DaemonSet was updated by this call */
    private boolean update(Module module, String id, Action.UpdateDaemonSet u,
            Map<String, DaemonSet> current, Map<String, String> rejected) {
        DaemonSet cached = u.actual();
        DaemonSet desired = u.desired();
        // the cache keeps KMM's labels and annotations only: read the live object, to keep what others added
        DaemonSet actual = client.resource(cached).get();
        if (actual == null) {
            actual = cached;
        }
        DaemonSet next = MAPPER.convertValue(actual, DaemonSet.class);
        ObjectMeta meta = next.getMetadata();
        meta.setLabels(merge(meta.getLabels(), desired.getMetadata().getLabels()));
        meta.setAnnotations(merge(meta.getAnnotations(), desired.getMetadata().getAnnotations()));
        List<OwnerReference> owners = new ArrayList<>(desired.getMetadata().getOwnerReferences());
        if (meta.getOwnerReferences() != null) {
            meta.getOwnerReferences().stream().filter(o -> !o.getUid().equals(module.getMetadata().getUid()))
                    .forEach(owners::add);
        }
        meta.setOwnerReferences(owners);
        next.setSpec(MAPPER.convertValue(desired.getSpec(), io.fabric8.kubernetes.api.model.apps.DaemonSetSpec.class));
        next.setStatus(null);
        String name = actual.getMetadata().getName();
        try {
            DaemonSet updated = client.resource(next).update();
            daemonSets.handleRecentResourceUpdate(ResourceID.fromResource(updated), updated, cached);
            current.put(name, updated);
            LOG.infof("module %s: updated DaemonSet %s (%s)", id, name, describe(desired));
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 422 || e.getCode() == 400 || e.getCode() == 403) {
                rejected.put(name, reason(e));
                LOG.warnf("module %s: the API server rejected the update of DaemonSet %s: %s", id, name, reason(e));
                return false;
            }
            throw e;
        }
    }

    private void delete(String id, DaemonSet ds) {
        String name = ds.getMetadata().getName();
        client.resource(ds).delete();
        deleting.put(ds.getMetadata().getUid(), java.time.Instant.now());
        LOG.infof("module %s: deleted DaemonSet %s (%s)", id, name, describe(ds));
    }

    private static String describe(DaemonSet ds) {
        Map<String, String> labels = ds.getMetadata().getLabels();
        if (Labels.ROLE_DEVICE_PLUGIN.equals(labels.get(Labels.ROLE))) {
            return "device-plugin";
        }
        return "module-loader, kernel " + ds.getMetadata().getAnnotations().get(Labels.KERNEL_VERSION_ANNOTATION);
    }

    private static Map<String, String> merge(Map<String, String> base, Map<String, String> over) {
        Map<String, String> merged = new LinkedHashMap<>(base == null ? Map.of() : base);
        merged.putAll(over);
        return merged;
    }

    /** What the API server answered, trimmed (a webhook's message can be long). */
    static String reason(KubernetesClientException e) {
        String text = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : String.valueOf(e.getMessage());
        return text.length() > 512 ? text.substring(0, 509) + "..." : text;
    }
}
