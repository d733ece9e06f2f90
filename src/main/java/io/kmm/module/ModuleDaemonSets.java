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
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;

/**
 * Carries out a {@link ModulePlan}'s DaemonSet changes: create, update (labels and annotations others added are
 * kept), delete; tells the informer cache about its own writes; records one event per kind of change.
 */
final class ModuleDaemonSets {

    private static final Logger LOG = Logger.getLogger(ModuleDaemonSets.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final KubernetesClient client;
    private final InformerEventSource<DaemonSet, Module> daemonSets;
    private final ModuleEvents events;

    ModuleDaemonSets(KubernetesClient client, InformerEventSource<DaemonSet, Module> daemonSets, ModuleEvents events) {
        this.client = client;
        this.daemonSets = daemonSets;
        this.events = events;
    }

    /**
     * @param current the Module's DaemonSets by name, updated in place to what exists afterwards
     * @return DaemonSet name to the API server's reason, for DaemonSets the API server refused
     */
    Map<String, String> apply(Module module, ModulePlan plan, Map<String, DaemonSet> current) {
        String id = module.getMetadata().getNamespace() + "/" + module.getMetadata().getName();
        Map<String, String> rejected = new LinkedHashMap<>();
        List<String> created = new ArrayList<>();
        List<String> updated = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        for (DaemonSet ds : plan.create()) {
            if (create(id, ds, current, rejected)) {
                created.add(describe(ds) + " " + ds.getMetadata().getName());
            }
        }
        for (ModulePlan.Update u : plan.update()) {
            if (update(module, id, u, current, rejected)) {
                updated.add(describe(u.desired()) + " " + u.actual().getMetadata().getName());
            }
        }
        for (DaemonSet ds : plan.delete()) {
            delete(id, ds);
            current.remove(ds.getMetadata().getName());
            deleted.add(describe(ds) + " " + ds.getMetadata().getName());
        }
        // One event per kind of change and reconcile, not one per DaemonSet.
        announce(module, "DaemonSetCreated", "Created", created, "");
        announce(module, "DaemonSetUpdated", "Updated", updated, "");
        announce(module, "DaemonSetDeleted", "Deleted", deleted, " (no selected node needs them any more)");
        return rejected;
    }

    private void announce(Module module, String reason, String verb, List<String> what, String why) {
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
            DaemonSet created = client.resource(ds).create();
            daemonSets.handleRecentResourceCreate(ResourceID.fromResource(created), created);
            current.put(name, created);
            LOG.infof("module %s: created DaemonSet %s (%s)", id, name, describe(ds));
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                // Created by an earlier reconcile whose result the informer has not delivered yet.
                LOG.debugf("module %s: DaemonSet %s already exists", id, name);
            } else if (e.getCode() == 422 || e.getCode() == 400) {
                rejected.put(name, reason(e));
                LOG.warnf("module %s: the API server rejected DaemonSet %s: %s", id, name, reason(e));
            } else {
                throw e;
            }
            return false;
        }
    }

    /** @return whether the DaemonSet was updated by this call */
    private boolean update(Module module, String id, ModulePlan.Update u,
            Map<String, DaemonSet> current, Map<String, String> rejected) {
        DaemonSet actual = u.actual();
        DaemonSet desired = u.desired();
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
        next.setSpec(desired.getSpec());
        next.setStatus(null);
        String name = actual.getMetadata().getName();
        try {
            DaemonSet updated = client.resource(next).update();
            daemonSets.handleRecentResourceUpdate(ResourceID.fromResource(updated), updated, actual);
            current.put(name, updated);
            LOG.infof("module %s: updated DaemonSet %s (%s)", id, name, describe(desired));
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 422 || e.getCode() == 400) {
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

    private static String reason(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : e.getMessage();
    }
}
