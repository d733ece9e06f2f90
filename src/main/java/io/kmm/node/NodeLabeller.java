package io.kmm.node;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;

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
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kmm.config.KmmConfig;
import io.kmm.meta.LabelValues;
import io.kmm.meta.Labels;
import io.kmm.metrics.KmmMetrics;

/**
 * The node controller: the writer of KMM's node labels (but the {@code .version} label a staged rollout sets), and
 * the operator's only Node informer.
 * <ul>
 * <li><b>kernel label</b> ({@link Labels#KERNEL_VERSION}): every node's kernel release, normalised to a label value;
 * removed, with a Warning event, from a node whose status reports something that is not a release. Off when
 * {@code kmm.kernel-label-source=nfd} (Node Feature Discovery's label is used instead).</li>
 * <li><b>module-ready labels</b> ({@code ooto.sigs.k8s.io/<namespace>.<module>.ready=true}): on every node where a
 * loader pod of that Module for the node's current kernel is Ready (a pod controlled by a loader DaemonSet that the
 * Module controls: owner references, by uid, not labels, which anyone who may create pods can copy), taken off when
 * the pod stops being Ready, is deleted or moves, or the node reports another kernel (with the new kernel label, in
 * one patch). Workloads and the Module's device plugin select nodes by it.</li>
 * <li><b>version labels</b> of versioned Modules: the ordered steps of {@link VersionSteps}. The user's (or a staged
 * rollout's) {@code .version} label is read here, never written.</li>
 * </ul>
 * All of a node's label changes go in one JSON merge patch of the changed keys (other labels and fields are never
 * sent): a kernel upgrade's new kernel label and the ready labels its old pods lose can share one write. It reacts
 * to kernel changes, changes of its own labels, and loader pods' readiness or node; heartbeats cause nothing. Its
 * Node informer is the operator's only one: its cache and events also serve the Module controller
 * ({@link SharedNodes}); the loader DaemonSets it reads come from the Module controller's informer
 * ({@link SharedDaemonSets}).
 */
// Not generation-aware: the kernel (status) and labels (metadata) never change a node's generation.
@ControllerConfiguration(name = NodeLabeller.NAME, generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = NodeLabeller.Filter.class, itemStore = PrunedNodeStore.class))
public class NodeLabeller implements Reconciler<Node> {

    public static final String NAME = "node-labeller";
    /**
     * The loader and device-plugin pods of every Module: KMM's own DaemonSets' pods, nothing else (device-plugin pods
     * only for the ordered version upgrade, which waits for them to go).
     */
    public static final String LOADER_POD_SELECTOR = Labels.MANAGED_SELECTOR + "," + Labels.ROLE + " in ("
            + Labels.ROLE_MODULE_LOADER + "," + Labels.ROLE_DEVICE_PLUGIN + ")";
    private static final Logger LOG = Logger.getLogger(NodeLabeller.class);

    @Inject
    KmmMetrics metrics;

    @Inject
    KmmConfig config;

    @Inject
    SharedNodes shared;

    @Inject
    SharedDaemonSets sharedDaemonSets;

    /** The Module controller's Modules: the versioned ones drive the ordered version steps ({@link VersionSteps}). */
    @Inject
    SharedModules sharedModules;

    /** Nodes reported for a kernel string that is not a release, with what they reported (reported once each). */
    private final Map<String, String> invalid = new ConcurrentHashMap<>();
    private InformerEventSource<Pod, Node> pods;

    /**
     * Lets through node updates that change the kernel, a kernel label (KMM's or NFD's), a module-ready or version
     * label; no heartbeat.
     */
    public static class Filter implements OnUpdateFilter<Node> {

        @Override
        public boolean accept(Node newNode, Node oldNode) {
            if (!NodeKernels.kernelOrLabelsChanged(newNode, oldNode)) {
                return false; // a heartbeat: no label maps built
            }
            // NFD's kernel label too: in NFD mode it decides which loader pods count for the module-ready labels
            return NodeKernels.kernelOrLabelChanged(newNode, oldNode, Labels.KERNEL_VERSION)
                    || !Objects.equals(NodeKernels.label(newNode, Labels.NFD_KERNEL_VERSION),
                            NodeKernels.label(oldNode, Labels.NFD_KERNEL_VERSION))
                    || !Objects.equals(readyLabels(newNode), readyLabels(oldNode))
                    || !Objects.equals(versionLabels(newNode), versionLabels(oldNode));
        }
    }

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
        // The loader DaemonSets, from the Module controller's informer: a pod counts once its DaemonSet is known; a
        // DaemonSet that comes or goes, or changes controller, concerns the nodes of its pods.
        LoaderDaemonSetEvents daemonSetEvents = new LoaderDaemonSetEvents(
                context.getControllerConfiguration().getConfigurationService().cacheSyncTimeout());
        sharedDaemonSets.listen(daemonSetEvents);
        ModuleVersionEvents moduleEvents = new ModuleVersionEvents(
                context.getControllerConfiguration().getConfigurationService().cacheSyncTimeout());
        sharedModules.listen(moduleEvents);
        return List.of(pods, daemonSetEvents, moduleEvents, shared.attach(context.getPrimaryCache()));
    }

    @Override
    public UpdateControl<Node> reconcile(Node node, Context<Node> context) {
        Map<String, String> change = new TreeMap<>();
        boolean kernelLabel = config.kernelLabelSource().nodeLabellerEnabled() && kernelChange(node, context, change);
        Map<String, String> modules = new java.util.HashMap<>();
        Set<Pod> podsOnNode = context.getSecondaryResources(Pod.class);
        // The kernel the node runs as labelled after this reconcile (a kernel change sets it in this same patch).
        String kernelKey = config.kernelLabelSource().labelKey();
        String nodeKernel = change.containsKey(kernelKey) ? change.get(kernelKey) : NodeKernels.label(node, kernelKey);
        Set<Pod> loaderPods = new java.util.HashSet<>();
        Map<String, DaemonSet> daemonSetOf = new java.util.HashMap<>();
        for (Pod pod : podsOnNode) {
            var owner = LoaderPods.controller(pod);
            DaemonSet ds = owner == null ? null
                    : sharedDaemonSets.get(new ResourceID(owner.getName(), pod.getMetadata().getNamespace()))
                            .orElse(null);
            Optional<String> module = LoaderDaemonSets.moduleOf(pod, ds);
            if (module.isPresent()) {
                modules.put(pod.getMetadata().getUid(), module.get());
                daemonSetOf.put(pod.getMetadata().getUid(), ds);
                // A device plugin's pod never makes a module-ready label, nor does the pod of another kernel's
                // loader: after a kernel change the module it loaded is not in the running kernel, so its label goes
                // in the same patch as the new kernel label (not later, when the pod is deleted).
                if (Labels.ROLE_MODULE_LOADER.equals(ds.getMetadata().getLabels().get(Labels.ROLE))
                        && LoaderDaemonSets.servesKernel(ds, nodeKernel)) {
                    loaderPods.add(pod);
                }
            }
        }
        Map<String, String> ready = readyChange(node.getMetadata().getLabels(), loaderPods, modules);
        change.putAll(ready);
        change.putAll(versionChange(node, podsOnNode, modules, daemonSetOf));
        if (change.isEmpty()) {
            return UpdateControl.noUpdate();
        }
        Map<String, Object> labels = new LinkedHashMap<>(change);
        String patch = Serialization.asJson(Map.of("metadata", Map.of("labels", labels)));
        // resource(node), not withName(name): with the object at hand the client sends only the PATCH; by name it
        // GETs the node first (one extra request per patch, measured by the scale benchmark).
        context.getClient().nodes().resource(node).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        if (kernelLabel) {
            metrics.nodeLabelUpdated();
        }
        LOG.infof("node %s: labels %s", node.getMetadata().getName(), change);
        return UpdateControl.noUpdate();
    }

    /**
     * The ordered version steps of every versioned Module that selects the node ({@link VersionSteps}), and the
     * removal of the operator's version labels no versioned Module needs on it (a Module deleted, unversioned, or no
     * longer selecting the node). The user's version labels are never touched here.
     */
    private Map<String, String> versionChange(Node node, Set<Pod> podsOnNode, Map<String, String> modules,
            Map<String, DaemonSet> daemonSetOf) {
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        boolean anyVersionLabel = labels.keySet().stream().anyMatch(Labels::isOperatorVersion);
        List<io.kmm.api.v1alpha1.Module> versioned = sharedModules.list(m -> m.getSpec() != null
                && m.getSpec().getVersion() != null
                && Labels.selectorMatches(m.getSpec().getSelector(), labels)).toList();
        if (versioned.isEmpty() && !anyVersionLabel) {
            return Map.of();
        }
        String kernel = labels.get(config.kernelLabelSource().labelKey());
        Map<String, String> change = new TreeMap<>();
        Set<String> wantedKeys = new java.util.HashSet<>();
        for (io.kmm.api.v1alpha1.Module m : versioned) {
            VersionSteps.Versioned v = versioned(m);
            wantedKeys.add(v.loaderKey());
            wantedKeys.add(v.devicePluginKey());
            wantedKeys.add(v.readyKey());
            String ns = m.getMetadata().getNamespace();
            String name = m.getMetadata().getName();
            boolean loaderPod = false;
            boolean pluginPod = false;
            String readyVersion = null;
            for (Pod pod : podsOnNode) {
                String uid = pod.getMetadata().getUid();
                if (!ns.equals(pod.getMetadata().getNamespace()) || !name.equals(modules.get(uid))) {
                    continue;
                }
                Map<String, String> dsLabels = daemonSetOf.get(uid).getMetadata().getLabels();
                if (Labels.ROLE_DEVICE_PLUGIN.equals(dsLabels.get(Labels.ROLE))) {
                    pluginPod = true;
                } else {
                    loaderPod = true;
                    if (LoaderPods.ready(pod) && dsLabels.get(Labels.MODULE_VERSION) != null) {
                        readyVersion = dsLabels.get(Labels.MODULE_VERSION);
                    }
                }
            }
            Set<String> loaderVersions = kernel == null ? Set.of() : loaderVersions(m, kernel);
            change.putAll(VersionSteps.change(v, labels, new VersionSteps.OnNode(loaderPod, readyVersion, pluginPod,
                    loaderVersions)));
        }
        for (String key : labels.keySet()) {
            if (Labels.isOperatorVersion(key) && !wantedKeys.contains(key)) {
                change.put(key, null);
            }
        }
        return change;
    }

    static VersionSteps.Versioned versioned(io.kmm.api.v1alpha1.Module m) {
        var upgrade = m.getSpec().getUpgrade();
        return new VersionSteps.Versioned(m.getMetadata().getNamespace(), m.getMetadata().getName(),
                m.getSpec().getVersion(), m.getSpec().getDevicePlugin() != null, upgrade != null && upgrade.staged());
    }

    /** The versions that have a loader DaemonSet of the Module (controlled by it, by uid) for a kernel label. */
    private Set<String> loaderVersions(io.kmm.api.v1alpha1.Module m, String kernelLabel) {
        String uid = m.getMetadata().getUid();
        Set<String> versions = new TreeSet<>();
        sharedDaemonSets.list(ds -> m.getMetadata().getNamespace().equals(ds.getMetadata().getNamespace())
                && ds.getMetadata().getLabels() != null
                && Labels.ROLE_MODULE_LOADER.equals(ds.getMetadata().getLabels().get(Labels.ROLE))
                && kernelLabel.equals(ds.getMetadata().getLabels().get(Labels.KERNEL_VERSION))
                && ds.getMetadata().getLabels().get(Labels.MODULE_VERSION) != null
                && LoaderPods.controller(ds) != null && uid.equals(LoaderPods.controller(ds).getUid()))
                .forEach(ds -> versions.add(ds.getMetadata().getLabels().get(Labels.MODULE_VERSION)));
        return versions;
    }

    /**
     * Changes of versioned Modules (a new spec.version, a device plugin added or removed, the upgrade strategy, the
     * selector), heard from the Module controller's informer ({@link SharedModules}), mapped to the
     * nodes they select before or after. Unversioned Modules cause nothing here.
     */
    private final class ModuleVersionEvents extends AbstractEventSource<io.kmm.api.v1alpha1.Module, Node>
            implements SharedCache.Listener<io.kmm.api.v1alpha1.Module> {

        private final java.time.Duration syncTimeout;

        ModuleVersionEvents(java.time.Duration syncTimeout) {
            super(io.kmm.api.v1alpha1.Module.class, "versioned-modules");
            this.syncTimeout = syncTimeout;
        }

        @Override
        public void on(io.kmm.api.v1alpha1.Module old, io.kmm.api.v1alpha1.Module now) {
            if (!isRunning() || (versionOf(old) == null && versionOf(now) == null)
                    || (old != null && now != null && Objects.equals(facts(old), facts(now)))) {
                return;
            }
            Set<String> nodes = new TreeSet<>();
            for (var m : new io.kmm.api.v1alpha1.Module[] { old, now }) {
                if (m != null && m.getSpec() != null) {
                    shared.list(n -> Labels.selectorMatches(m.getSpec().getSelector(),
                            n.getMetadata().getLabels())).forEach(n -> nodes.add(n.getMetadata().getName()));
                }
            }
            nodes.forEach(n -> getEventHandler().handleEvent(new Event(new ResourceID(n))));
        }

        private static String versionOf(io.kmm.api.v1alpha1.Module m) {
            return m == null || m.getSpec() == null ? null : m.getSpec().getVersion();
        }

        private static List<Object> facts(io.kmm.api.v1alpha1.Module m) {
            var spec = m.getSpec();
            return spec == null ? List.of() : java.util.Arrays.asList(spec.getVersion(), spec.getDevicePlugin() != null,
                    spec.getUpgrade() != null && spec.getUpgrade().staged(), spec.getSelector());
        }

        @Override
        public Set<io.kmm.api.v1alpha1.Module> getSecondaryResources(Node primary) {
            return Set.of();
        }

        @Override
        public void start() {
            sharedModules.awaitSynced(syncTimeout);
            super.start();
        }
    }

    /**
     * Events of loader DaemonSets, heard from the Module controller's DaemonSet informer ({@link SharedDaemonSets}),
     * mapped to the nodes of their pods. Starts once that informer has synced.
     */
    private final class LoaderDaemonSetEvents extends AbstractEventSource<DaemonSet, Node>
            implements SharedCache.Listener<DaemonSet> {

        private final java.time.Duration syncTimeout;

        LoaderDaemonSetEvents(java.time.Duration syncTimeout) {
            super(DaemonSet.class, "loader-daemonsets");
            this.syncTimeout = syncTimeout;
        }

        @Override
        public void on(DaemonSet old, DaemonSet now) {
            DaemonSet ds = now != null ? now : old;
            if (!isRunning() || ds.getMetadata().getLabels() == null
                    || !Labels.ROLE_MODULE_LOADER.equals(ds.getMetadata().getLabels().get(Labels.ROLE))
                    || (old != null && now != null
                            && Objects.equals(LoaderPods.controller(now), LoaderPods.controller(old)))) {
                return; // a status update: nothing a label depends on
            }
            if (old == null && now != null && now.getMetadata().getLabels().get(Labels.MODULE_VERSION) != null
                    && now.getSpec() != null && now.getSpec().getTemplate().getSpec().getNodeSelector() != null) {
                // a new version's loader: the nodes that wait for it to move (all its selector but the loader label)
                Map<String, String> selector = new TreeMap<>(now.getSpec().getTemplate().getSpec().getNodeSelector());
                selector.keySet().removeIf(k -> k.endsWith(Labels.LOADER_VERSION_SUFFIX));
                shared.list(n -> Labels.selectorMatches(selector, n.getMetadata().getLabels()))
                        .forEach(n -> getEventHandler().handleEvent(new Event(new ResourceID(n.getMetadata()
                                .getName()))));
            }
            String uid = ds.getMetadata().getUid();
            pods.list(p -> LoaderPods.controller(p) != null && uid.equals(LoaderPods.controller(p).getUid())
                    && LoaderPods.nodeName(p) != null).map(LoaderPods::nodeName).distinct()
                    .forEach(node -> getEventHandler().handleEvent(new Event(new ResourceID(node))));
        }

        @Override
        public Set<DaemonSet> getSecondaryResources(Node primary) {
            return Set.of(); // read by name from the shared cache
        }

        @Override
        public void start() {
            sharedDaemonSets.awaitSynced(syncTimeout);
            super.start();
        }
    }

    /**
     * Adds the kernel label's change, if any, to {@code change}; true when there is one. A node whose status reports
     * something that is not a kernel release gets no kernel label (one it had is removed, so no loader targets it),
     * a Warning event on the Node once per string, and counts in the gauge of such nodes.
     */
    private boolean kernelChange(Node node, Context<Node> context, Map<String, String> change) {
        String name = node.getMetadata().getName();
        if (!invalid.isEmpty()) {
            // nodes deleted since they were reported no longer count (few entries: only nodes reporting garbage)
            invalid.keySet().removeIf(n -> !n.equals(name)
                    && context.getPrimaryCache().get(new ResourceID(n)).isEmpty());
        }
        String current = NodeKernels.label(node, Labels.KERNEL_VERSION);
        Optional<String> bad = NodeKernels.invalidKernelOf(node);
        if (bad.isPresent()) {
            String kernel = bad.get();
            if (!kernel.equals(invalid.put(name, kernel))) {
                metrics.invalidKernelNodes(invalid.size());
                String message = "status.nodeInfo.kernelVersion " + NodeKernels.shown(kernel) + " is not a kernel "
                        + "release (at most " + NodeKernels.MAX_RELEASE + " letters, digits, '.', '_', '+', '~', "
                        + "'-'): KMM gives the node no kernel label and no Module targets it";
                LOG.warnf("node %s: %s", name, message);
                NodeEvents.warning(context.getClient(), node, "InvalidKernelVersion", message);
            }
            if (current != null) {
                change.put(Labels.KERNEL_VERSION, null);
                return true;
            }
            return false;
        }
        if (invalid.remove(name) != null || !invalid.isEmpty()) {
            metrics.invalidKernelNodes(invalid.size());
        }
        Optional<String> kernel = NodeKernels.kernelOf(node);
        if (kernel.isEmpty()) {
            LOG.debugf("node %s reports no kernel version yet", name);
            return false;
        }
        String wanted = LabelValues.normalise(kernel.get());
        if (wanted.equals(current)) {
            return false;
        }
        LOG.infof("node %s: kernel %s, label %s=%s (was %s)", name, kernel.get(), Labels.KERNEL_VERSION, wanted,
                current);
        change.put(Labels.KERNEL_VERSION, wanted);
        return true;
    }

    /**
     * The module-ready label changes a node needs: ready keys to add ({@code "true"}) and stale ones to remove
     * ({@code null}). Pure; empty when the node is as it should be.
     *
     * @param modules the Module of each pod (by pod uid) that a loader DaemonSet of that Module controls; pods not in
     *        it do not count, whatever their labels
     */
    static Map<String, String> readyChange(Map<String, String> labels, Set<Pod> podsOnNode,
            Map<String, String> modules) {
        Set<String> wanted = new TreeSet<>();
        for (Pod pod : podsOnNode) {
            String module = modules.get(pod.getMetadata().getUid());
            if (module != null && LoaderPods.ready(pod)) {
                wanted.add(Labels.moduleReady(pod.getMetadata().getNamespace(), module));
            }
        }
        Map<String, String> current = labels == null ? Map.of() : labels;
        Map<String, String> change = new TreeMap<>();
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

    static Map<String, String> versionLabels(Node node) {
        return labels(node, Labels::isModuleVersion);
    }

    static Map<String, String> readyLabels(Node node) {
        return labels(node, Labels::isModuleReady);
    }

    private static Map<String, String> labels(Node node, java.util.function.Predicate<String> key) {
        Map<String, String> kept = new TreeMap<>();
        Map<String, String> labels = node.getMetadata().getLabels();
        if (labels != null) {
            labels.forEach((k, v) -> {
                if (key.test(k)) {
                    kept.put(k, v);
                }
            });
        }
        return kept;
    }
}
