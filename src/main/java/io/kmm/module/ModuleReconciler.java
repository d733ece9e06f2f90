package io.kmm.module;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.rate.RateLimited;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.ModuleStatus;
import io.kmm.config.KmmConfig;
import io.kmm.meta.Labels;
import io.kmm.metrics.KmmMetrics;

/**
 * Reconciles a Module: selects its nodes from the informer cache, resolves one record per kernel, makes the loader
 * and device-plugin DaemonSets match the plan, and writes the status when it changed. A reconcile that finds
 * everything as desired sends nothing.
 */
// At most two reconciles per Module and second: a burst of node events (a fleet-wide kernel upgrade) is coalesced
// into a few reconciles and status writes instead of one per node. A new or changed Module reconciles at once.
@RateLimited(maxReconciliations = 2, within = 1, unit = TimeUnit.SECONDS)
@ControllerConfiguration(name = ModuleReconciler.NAME)
public class ModuleReconciler implements Reconciler<Module> {

    public static final String NAME = "module";
    private static final Logger LOG = Logger.getLogger(ModuleReconciler.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject
    KmmConfig config;

    @Inject
    ModuleEvents events;

    @Inject
    Event<ModuleReconciled> reconciled;

    @Inject
    KernelBuilds builds;

    @Inject
    KmmMetrics metrics;

    private volatile InformerEventSource<Node, Module> nodes;
    private volatile InformerEventSource<DaemonSet, Module> daemonSets;

    @Override
    public List<EventSource<?, Module>> prepareEventSources(EventSourceContext<Module> context) {
        nodes = NodeEventSource.create(context);
        daemonSets = new InformerEventSource<>(InformerEventSourceConfiguration.from(DaemonSet.class, Module.class)
                .withName("daemonsets")
                .withLabelSelector(Labels.MANAGED_SELECTOR)
                .build(), context);
        List<EventSource<?, Module>> sources = new ArrayList<>(List.of(nodes, daemonSets));
        sources.addAll(builds.strategy().eventSources(context)); // only the chosen build system is watched
        return sources;
    }

    @Override
    public UpdateControl<Module> reconcile(Module module, Context<Module> context) {
        String id = module.getMetadata().getNamespace() + "/" + module.getMetadata().getName();
        if (module.getSpec() == null) {
            module.setSpec(new io.kmm.api.v1alpha1.ModuleSpec()); // only without the CRD's schema; reported in status
        }
        var selector = module.getSpec().getSelector();
        SelectedNodes selected = SelectedNodes.of(nodes
                .list(n -> SelectedNodes.matches(selector, n.getMetadata().getLabels())).toList());
        Map<String, DaemonSet> current = new HashMap<>();
        context.getSecondaryResources(DaemonSet.class).forEach(ds -> current.put(ds.getMetadata().getName(), ds));
        var resolutions = ModulePlan.resolve(module, selected);
        KernelBuilds.Result buildResult = builds.handle(module, resolutions.values(), Map.copyOf(current), context);
        ModulePlan plan = ModulePlan.compute(module, selected, resolutions, current.values(),
                config.kernelLabelSource().labelKey(), buildResult.held());
        KubernetesClient client = context.getClient();
        Map<String, String> rejected = new ModuleDaemonSets(client, daemonSets, events).apply(module, plan, current);

        ModuleStatus status = ModuleStatusAggregator.aggregate(module, plan, current, rejected, buildResult.kernels(),
                Instant.now());
        writeStatusIfChanged(client, module, status, id);
        reconciled.fire(new ModuleReconciled(module.getMetadata().getNamespace(), module.getMetadata().getName(),
                status));
        UpdateControl<Module> control = UpdateControl.noUpdate();
        buildResult.requeueAfter().ifPresent(control::rescheduleAfter);
        return control;
    }

    @Override
    public ErrorStatusUpdateControl<Module> updateErrorStatus(Module module, Context<Module> context, Exception e) {
        LOG.warnf("module %s/%s: reconcile failed, will retry: %s", module.getMetadata().getNamespace(),
                module.getMetadata().getName(), e.getMessage());
        return ErrorStatusUpdateControl.defaultErrorProcessing();
    }

    private void writeStatusIfChanged(KubernetesClient client, Module module, ModuleStatus status, String id) {
        ModuleStatus previous = module.getStatus();
        if (previous != null && MAPPER.valueToTree(previous).equals(MAPPER.valueToTree(status))) {
            return;
        }
        Module copy = new Module();
        copy.setMetadata(MAPPER.convertValue(module.getMetadata(), ObjectMeta.class));
        copy.setSpec(module.getSpec());
        copy.setStatus(status);
        client.resource(copy).updateStatus();
        announceNewProblems(module, previous, status, id);
    }

    /** Events for errors and warnings that are new in this status (not on every reconcile). */
    private void announceNewProblems(Module module, ModuleStatus previous, ModuleStatus status, String id) {
        var degraded = Conditions.find(status.getConditions(), Conditions.DEGRADED).orElseThrow();
        var before = previous == null ? null
                : Conditions.find(previous.getConditions(), Conditions.DEGRADED).orElse(null);
        if ("True".equals(degraded.getStatus())
                && (before == null || !Objects.equals(before.getMessage(), degraded.getMessage()))) {
            LOG.warnf("module %s: %s", id, degraded.getMessage());
            events.warning(module, degraded.getReason(), degraded.getMessage());
        }
        for (var kernel : status.getKernels()) {
            var before2 = previous == null ? null : previous.getKernels().stream()
                    .filter(k -> k.getKernel().equals(kernel.getKernel()) && k.getBuild() != null).findFirst()
                    .map(k -> k.getBuild().getPhase()).orElse(null);
            if (kernel.getBuild() != null && !kernel.getBuild().getPhase().equals(before2)) {
                String phase = kernel.getBuild().getPhase();
                if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
                    metrics.buildFinished("Succeeded".equals(phase));
                }
                if ("Succeeded".equals(phase)) {
                    events.normal(module, "BuildSucceeded", kernel.getBuild().getObject() + " built " + kernel.getImage()
                            + " for kernel " + kernel.getKernel());
                } else if ("Failed".equals(phase)) {
                    events.warning(module, "BuildFailed", kernel.getBuild().getObject() + " failed to build "
                            + kernel.getImage() + " for kernel " + kernel.getKernel());
                }
            }
        }
        for (String warning : status.getWarnings()) {
            if (previous == null || !previous.getWarnings().contains(warning)) {
                LOG.warnf("module %s: %s", id, warning);
                events.warning(module, "MissingPreStop", warning);
            }
        }
    }

}
