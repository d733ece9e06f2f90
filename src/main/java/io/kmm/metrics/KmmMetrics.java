package io.kmm.metrics;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.kmm.api.v1alpha1.ModuleStatus;
import io.kmm.status.Conditions;
import io.kmm.status.ModuleReconciled;
import io.kmm.registry.ImageCheck;
import io.kmm.registry.RegistryCheckFailed;
import io.kmm.status.BuildCounted;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * The operator's own metrics on /q/metrics, next to the Operator SDK's reconcile metrics. Per-Module gauges follow the
 * last status the operator computed and disappear when the Module is deleted. Every metric is listed, with PromQL
 * examples and alert rules, in docs/metrics.md.
 */
@Singleton
public class KmmMetrics {

    static final String MODULES = "kmm.modules";
    static final String TARGETED = "kmm.module.nodes.targeted";
    static final String AVAILABLE = "kmm.module.nodes.available";
    static final String READY = "kmm.module.ready";
    static final String DEGRADED = "kmm.module.degraded";
    static final String DEVICE_PLUGINS = "kmm.device.plugins";
    static final String DEVICE_PLUGIN_AVAILABLE = "kmm.module.device.plugin.nodes.available";
    static final String BUILDS = "kmm.builds";
    static final String SIGNS = "kmm.signs";
    static final String NODE_LABEL_UPDATES = "kmm.node.label.updates";
    static final String REGISTRY_CHECK_FAILURES = "kmm.registry.check.failures";
    static final String INVALID_KERNEL_NODES = "kmm.nodes.invalid.kernel";
    static final String PREFLIGHT = "kmm.preflight.checks";
    static final String VERSION_NODES_READY = "kmm.module.version.nodes.ready";
    static final String VERSION_ROLLOUT_PAUSED = "kmm.module.version.rollout.paused";

    private final MeterRegistry registry;
    private final Map<String, Tracked> modules = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger invalidKernelNodes = new java.util.concurrent.atomic.AtomicInteger();

    private record Tracked(AtomicReference<ModuleStatus> status, List<Meter> meters) {
    }

    public KmmMetrics(MeterRegistry registry) {
        this.registry = registry;
        removeOurMeters(); // a registry that outlived an earlier instance (Quarkus restarts in tests) keeps stale gauges
        Gauge.builder(MODULES, modules, Map::size).strongReference(true)
                .description("Modules the operator reconciles").register(registry);
        Gauge.builder(DEVICE_PLUGINS, modules, m -> m.values().stream()
                .filter(t -> t.status().get().getDevicePlugin() != null).count()).strongReference(true)
                .description("Modules that run a device plugin").register(registry);
        Gauge.builder(INVALID_KERNEL_NODES, invalidKernelNodes, java.util.concurrent.atomic.AtomicInteger::get)
                .strongReference(true).description("Nodes whose status reports a kernel version that is not a kernel "
                        + "release: no Module targets them").register(registry);
        // Counters exist from the start, so that rate() and increase() see their first increment.
        for (String result : List.of("created", "succeeded", "failed")) {
            counter(BUILDS, "result", result);
            counter(SIGNS, "result", result);
        }
        counter(NODE_LABEL_UPDATES);
        for (ImageCheck.Outcome o : List.of(ImageCheck.Outcome.UNAUTHORIZED, ImageCheck.Outcome.UNREACHABLE,
                ImageCheck.Outcome.INVALID_REFERENCE)) {
            counter(REGISTRY_CHECK_FAILURES, "reason", reason(o));
        }
    }

    /** What each counter counts: Prometheus shows it as the series' HELP text. */
    static final Map<String, String> COUNTER_HELP = Map.of(
            BUILDS, "In-cluster builds the operator created, and how they finished (label result)",
            SIGNS, "Signing builds the operator created, and how they finished (label result)",
            NODE_LABEL_UPDATES, "Writes of kernel-version labels to Nodes by the node labeller",
            REGISTRY_CHECK_FAILURES, "Registry checks of a loader image that failed (label reason: unauthorized, "
                    + "unreachable, invalid-reference)");

    private Counter counter(String name, String... tags) {
        return Counter.builder(name).description(COUNTER_HELP.get(name)).tags(tags).register(registry);
    }

    @PreDestroy
    void removeOurMeters() {
        for (String name : List.of(MODULES, TARGETED, AVAILABLE, READY, DEGRADED, DEVICE_PLUGINS,
                DEVICE_PLUGIN_AVAILABLE, INVALID_KERNEL_NODES, PREFLIGHT)) {
            registry.find(name).meters().forEach(registry::remove);
        }
        modules.clear();
        preflights.clear();
    }

    void moduleReconciled(@Observes ModuleReconciled event) {
        String key = key(event.namespace(), event.name());
        modules.computeIfAbsent(key, k -> register(event.namespace(), event.name(), event.status()))
                .status().set(event.status());
    }

    /** A Module was deleted: its series go away. */
    public void moduleDeleted(String namespace, String name) {
        Tracked tracked = modules.remove(key(namespace, name));
        if (tracked != null) {
            tracked.meters().forEach(registry::remove);
        }
    }

    /** Per PreflightValidation: its counts of Success, Failure and InProgress (in that order). */
    private final Map<String, int[]> preflights = new ConcurrentHashMap<>();

    void preflightChecked(@Observes io.kmm.status.PreflightChecked event) {
        for (String gone : List.copyOf(preflights.keySet())) {
            if (!event.existing().contains(gone) && !gone.equals(event.name())) {
                preflights.remove(gone);
                registry.find(PREFLIGHT).tag("preflight", gone).meters().forEach(registry::remove);
            }
        }
        int[] counts = preflights.computeIfAbsent(event.name(), name -> {
            int[] fresh = new int[3];
            String[] verdicts = { "Success", "Failure", "InProgress" };
            for (int i = 0; i < 3; i++) {
                int at = i;
                Gauge.builder(PREFLIGHT, fresh, c -> c[at]).strongReference(true)
                        .tags("preflight", name, "verdict", verdicts[i])
                        .description("Module and kernel pairs of a PreflightValidation, by verdict")
                        .register(registry);
            }
            return fresh;
        });
        counts[0] = event.success();
        counts[1] = event.failure();
        counts[2] = event.inProgress();
    }

    void buildCounted(@Observes BuildCounted event) {
        counter(event.signing() ? SIGNS : BUILDS, "result", event.result()).increment();
    }

    /** How many nodes report a kernel string that is not a release. */
    public void invalidKernelNodes(int count) {
        invalidKernelNodes.set(count);
    }

    public void nodeLabelUpdated() {
        counter(NODE_LABEL_UPDATES).increment();
    }

    void registryCheckFailed(@Observes RegistryCheckFailed event) {
        counter(REGISTRY_CHECK_FAILURES, "reason", reason(event.outcome())).increment();
    }

    private Tracked register(String namespace, String name, ModuleStatus first) {
        AtomicReference<ModuleStatus> status = new AtomicReference<>(first);
        Tags tags = Tags.of("namespace", namespace, "module", name);
        List<Meter> meters = List.of(
                Gauge.builder(TARGETED, status, s -> orZero(s.get().getTargetedNodes()))
                        .tags(tags).strongReference(true)
                        .description("Nodes that should run one of the Module's loaders").register(registry),
                Gauge.builder(AVAILABLE, status, s -> orZero(s.get().getAvailableNodes()))
                        .tags(tags).strongReference(true)
                        .description("Nodes with an available loader of the Module").register(registry),
                Gauge.builder(READY, status, s -> condition(s.get(), Conditions.READY))
                        .tags(tags).strongReference(true)
                        .description("1 when the Module's Ready condition is True").register(registry),
                Gauge.builder(DEGRADED, status, s -> condition(s.get(), Conditions.DEGRADED))
                        .tags(tags).strongReference(true)
                        .description("1 when the Module's Degraded condition is True (a configuration, registry "
                                + "or build error)").register(registry),
                Gauge.builder(DEVICE_PLUGIN_AVAILABLE, status, s -> Optional.ofNullable(s.get().getDevicePlugin())
                        .map(d -> orZero(d.getAvailable())).orElse(0d))
                        .tags(tags).strongReference(true)
                        .description("Nodes with an available device plugin of the Module").register(registry),
                Gauge.builder(VERSION_NODES_READY, status, s -> Optional.ofNullable(s.get().getUpgrade())
                        .map(u -> orZero(u.getNodesReady())).orElse(0d))
                        .tags(tags).strongReference(true)
                        .description("Nodes that run the Module's spec.version Ready (versioned Modules)")
                        .register(registry),
                Gauge.builder(VERSION_ROLLOUT_PAUSED, status, s -> Optional.ofNullable(s.get().getUpgrade())
                        .filter(u -> io.kmm.api.v1alpha1.VersionRollout.PAUSED.equals(u.getPhase())).isPresent() ? 1 : 0)
                        .tags(tags).strongReference(true)
                        .description("1 while the Module's staged version rollout is paused").register(registry));
        return new Tracked(status, meters);
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    private static double orZero(Integer value) {
        return value == null ? 0 : value;
    }

    private static double condition(ModuleStatus status, String type) {
        return Conditions.find(status.getConditions(), type).filter(c -> "True".equals(c.getStatus())).isPresent()
                ? 1
                : 0;
    }

    static String reason(ImageCheck.Outcome outcome) {
        return outcome.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The number of builds with this result ({@code created}, {@code succeeded}, {@code failed}) so far. */
    public double builds(String result) {
        return counter(BUILDS, "result", result).count();
    }

    /** The number of registry checks that failed for this reason so far. */
    public double registryCheckFailures(ImageCheck.Outcome outcome) {
        return counter(REGISTRY_CHECK_FAILURES, "reason", reason(outcome)).count();
    }
}
