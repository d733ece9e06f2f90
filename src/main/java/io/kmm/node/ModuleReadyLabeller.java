package io.kmm.node;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kmm.meta.Labels;

/**
 * Puts {@code ooto.sigs.k8s.io/<namespace>.<module>.ready=true} on every node where a loader pod of that Module is
 * Ready (a pod controlled by a loader DaemonSet that the Module controls: owner references, by uid, not labels, which
 * anyone who may create pods can copy), and takes it off when the pod stops being Ready, is deleted or moves (the node left the Module, the node
 * booted another kernel, the Module was deleted and its DaemonSets collected). Workloads and the Module's device
 * plugin select nodes by it. It reads loader pods only (a label-selected informer, pruned) and writes one JSON merge
 * patch of the changed labels per node and change; heartbeats and pod updates that keep readiness cause nothing.
 */
// Not generation-aware: labels (metadata) never change a node's generation.
@ControllerConfiguration(name = ModuleReadyLabeller.NAME, generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = ReadyLabelFilter.class, itemStore = PrunedNodeStore.class))
public class ModuleReadyLabeller implements Reconciler<Node> {

    public static final String NAME = "module-ready-labeller";
    /** The loader pods of every Module: KMM's own DaemonSets' pods, nothing else. */
    public static final String LOADER_POD_SELECTOR = Labels.MANAGED_SELECTOR + "," + Labels.ROLE + "="
            + Labels.ROLE_MODULE_LOADER;
    private static final Logger LOG = Logger.getLogger(ModuleReadyLabeller.class);

    private InformerEventSource<Pod, Node> pods;
    private InformerEventSource<DaemonSet, Node> daemonSets;

    @Override
    public List<EventSource<?, Node>> prepareEventSources(EventSourceContext<Node> context) {
        pods = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(Pod.class, Node.class)
                .withName("loader-pods")
                .withLabelSelector(LOADER_POD_SELECTOR)
                .withSecondaryToPrimaryMapper(pod -> LoaderPods.nodeName(pod) == null ? Set.of()
                        : Set.of(new ResourceID(LoaderPods.nodeName(pod))))
                .withOnUpdateFilter(LoaderPods::relevantChange)
                .withItemStore(new LoaderPods.Store())
                .build(), context);
        // The loader DaemonSets (identity and owners only): a pod counts once its DaemonSet is known; a DaemonSet
        // that comes or goes concerns the nodes of its pods.
        daemonSets = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(DaemonSet.class, Node.class)
                .withName("loader-daemonsets")
                .withLabelSelector(LOADER_POD_SELECTOR)
                .withSecondaryToPrimaryMapper(ds -> pods == null ? Set.of()
                        : pods.list(p -> LoaderPods.controller(p) != null && ds.getMetadata().getUid()
                                .equals(LoaderPods.controller(p).getUid()) && LoaderPods.nodeName(p) != null)
                                .map(p -> new ResourceID(LoaderPods.nodeName(p)))
                                .collect(java.util.stream.Collectors.toSet()))
                .withOnUpdateFilter((n, o) -> !java.util.Objects.equals(LoaderPods.controller(n),
                        LoaderPods.controller(o)))
                .withItemStore(new LoaderDaemonSets.Store())
                .build(), context);
        return List.of(pods, daemonSets);
    }

    @Override
    public UpdateControl<Node> reconcile(Node node, Context<Node> context) {
        Map<String, String> modules = new java.util.HashMap<>();
        for (Pod pod : context.getSecondaryResources(Pod.class)) {
            var owner = LoaderPods.controller(pod);
            DaemonSet ds = owner == null ? null
                    : daemonSets.get(new ResourceID(owner.getName(), pod.getMetadata().getNamespace())).orElse(null);
            LoaderDaemonSets.moduleOf(pod, ds).ifPresent(m -> modules.put(pod.getMetadata().getUid(), m));
        }
        Map<String, String> change = change(node.getMetadata().getLabels(), context.getSecondaryResources(Pod.class),
                modules);
        if (change.isEmpty()) {
            return UpdateControl.noUpdate();
        }
        Map<String, Object> labels = new LinkedHashMap<>(change);
        String patch = Serialization.asJson(Map.of("metadata", Map.of("labels", labels)));
        context.getClient().nodes().resource(node).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        LOG.infof("node %s: module-ready labels %s", node.getMetadata().getName(), change);
        return UpdateControl.noUpdate();
    }

    /**
     * The label changes a node needs: ready keys to add ({@code "true"}) and stale ones to remove ({@code null}).
     * Pure; empty when the node is as it should be.
     *
     * @param modules the Module of each pod (by pod uid) that a loader DaemonSet of that Module controls; pods not in
     *        it do not count, whatever their labels
     */
    static Map<String, String> change(Map<String, String> labels, Set<Pod> podsOnNode, Map<String, String> modules) {
        Set<String> wanted = new TreeSet<>();
        for (Pod pod : podsOnNode) {
            String module = modules.get(pod.getMetadata().getUid());
            if (module != null && LoaderPods.ready(pod)) {
                wanted.add(Labels.moduleReady(pod.getMetadata().getNamespace(), module));
            }
        }
        Map<String, String> current = labels == null ? Map.of() : labels;
        Map<String, String> change = new java.util.TreeMap<>();
        for (String key : wanted) {
            if (!Labels.READY_VALUE.equals(current.get(key))) {
                change.put(key, Labels.READY_VALUE);
            }
        }
        for (String key : current.keySet()) {
            if (Labels.isModuleReady(key) && !wanted.contains(key)) {
                change.put(key, null);
            }
        }
        return change;
    }
}
