package io.kmm.module;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.VersionRollout;
import io.kmm.api.v1alpha1.VersionUpgrade;
import io.kmm.meta.Durations;
import io.kmm.meta.Labels;
import io.kmm.status.Reason;

/**
 * Versioned Modules ({@code spec.version}), Module side. Pure.
 * <ul>
 * <li>which DaemonSets of other versions stay ({@link #keep}): a loader while a node of its kernel runs or is meant
 * to run its version, a device plugin while a node's device-plugin label names it;</li>
 * <li>where the nodes stand ({@code status.upgrade}) and, with {@code spec.upgrade.strategy: Staged}, the next batch
 * ({@link #plan}): a canary batch, then batches of {@code batchSize}, each once every moved node runs the version
 * Ready; a batch that is not Ready within {@code batchTimeout} pauses the rollout (it resumes by itself when the batch
 * becomes Ready). The node-by-node order (device plugin off, unload, load, device plugin back) is the node
 * labeller's ({@code io.kmm.node.VersionSteps}).</li>
 * </ul>
 */
public final class VersionRollouts {

    static final int WAITING_LISTED = 10;

    private VersionRollouts() {
    }

    /**
     * A targeted node's version labels.
     *
     * @param kernelLabel its kernel label's value
     * @param target its {@code .version} label (the user's, or a batch's), or null
     * @param loader the version its loader label names, or null
     * @param plugin the version its device-plugin label names, or null
     * @param ready the version Ready on it, or null
     */
    public record NodeView(String name, String kernelLabel, String target, String loader, String plugin,
            String ready) {

        static NodeView of(String name, String kernelLabel, Map<String, String> labels, String namespace,
                String module) {
            Map<String, String> l = labels == null ? Map.of() : labels;
            return new NodeView(name, kernelLabel, l.get(Labels.moduleKey(namespace, module, Labels.VERSION_SUFFIX)),
                    l.get(Labels.moduleKey(namespace, module, Labels.LOADER_VERSION_SUFFIX)),
                    l.get(Labels.moduleKey(namespace, module, Labels.DEVICE_PLUGIN_VERSION_SUFFIX)),
                    l.get(Labels.moduleKey(namespace, module, Labels.VERSION_READY_SUFFIX)));
        }

        /** The version this node should run (as the node labeller decides it, but for kernels without it). */
        String targetOf(String version, boolean staged) {
            return io.kmm.node.VersionSteps.wanted(target, loader, version, staged);
        }
    }

    /**
     * What the rollout does now.
     *
     * @param status status.upgrade
     * @param label nodes whose version label the operator sets (Staged), to the version
     * @param requeueAfter when to look again without an event (a batch's timeout), or null
     * @param event an event to record (a batch started, the rollout paused or complete), or null
     */
    public record Plan(VersionRollout status, Map<String, String> label, Duration requeueAfter, Event event) {
    }

    public record Event(Reason reason, boolean warning, String message) {
    }

    /**
     * Whether a DaemonSet of the Module that belongs to another version than spec.version stays: a loader while a node
     * of its kernel runs it or is meant to, a device plugin while a node's device-plugin label names its version.
     * DaemonSets without a version (the Module was not versioned) never stay once it is.
     */
    public static boolean keep(DaemonSet ds, List<NodeView> nodes) {
        Map<String, String> labels = ds.getMetadata().getLabels();
        String version = labels == null ? null : labels.get(Labels.MODULE_VERSION);
        if (version == null) {
            return false;
        }
        if (Labels.ROLE_DEVICE_PLUGIN.equals(labels.get(Labels.ROLE))) {
            return nodes.stream().anyMatch(n -> version.equals(n.plugin()));
        }
        String kernel = labels.get(Labels.KERNEL_VERSION);
        return nodes.stream().anyMatch(n -> Objects.equals(kernel, n.kernelLabel())
                && (version.equals(n.loader()) || version.equals(n.target())));
    }

    /**
     * @param nodes the targeted nodes (a kernel mapping matches their kernel)
     * @param previous the status.upgrade the Module has, or null
     */
    public static Plan plan(Module module, List<NodeView> nodes, VersionRollout previous, Instant now) {
        String version = module.getSpec().getVersion();
        VersionUpgrade upgrade = module.getSpec().getUpgrade() == null ? new VersionUpgrade()
                : module.getSpec().getUpgrade();
        boolean staged = upgrade.staged();
        List<NodeView> sorted = new ArrayList<>(nodes);
        sorted.sort(Comparator.comparing(NodeView::name));
        int ready = (int) sorted.stream().filter(n -> version.equals(n.ready())).count();
        List<NodeView> pending = sorted.stream().filter(n -> !version.equals(n.targetOf(version, staged))).toList();
        List<NodeView> moving = sorted.stream().filter(n -> version.equals(n.targetOf(version, staged))
                && !version.equals(n.ready())).toList();

        VersionRollout status = new VersionRollout();
        status.setVersion(version);
        status.setNodesReady(ready);
        status.setNodesTotal(sorted.size());
        boolean same = previous != null && version.equals(previous.getVersion());
        if (staged && same) {
            status.setBatch(previous.getBatch());
            status.setBatchStarted(previous.getBatchStarted());
        }
        String wasPhase = same ? previous.getPhase() : null;
        Map<String, String> label = new LinkedHashMap<>();
        Duration requeue = null;
        Event event = null;

        if (pending.isEmpty() && moving.isEmpty()) {
            status.setPhase(VersionRollout.COMPLETE);
            status.setMessage("all " + sorted.size() + " targeted nodes run version " + version + " Ready");
            if (wasPhase != null && !VersionRollout.COMPLETE.equals(wasPhase)) {
                event = new Event(Reason.VERSION_ROLLOUT_COMPLETE, false, "Version " + version + " runs Ready on all "
                        + sorted.size() + " targeted nodes");
            }
        } else if (!staged) {
            boolean waiting = moving.isEmpty();
            status.setPhase(waiting ? VersionRollout.WAITING : VersionRollout.ROLLING);
            status.setMessage(ready + " of " + sorted.size() + " targeted nodes run version " + version + " Ready"
                    + (pending.isEmpty() ? "" : "; " + pending.size() + " stay on the version their label "
                            + Labels.moduleKey(module.getMetadata().getNamespace(), module.getMetadata().getName(),
                                    Labels.VERSION_SUFFIX) + " names until it is changed"));
            status.setWaitingFor(names(moving));
        } else if (!moving.isEmpty()) {
            status.setWaitingFor(names(moving));
            Instant started = parse(status.getBatchStarted());
            Duration timeout = upgrade.timeoutOrDefault();
            String batch = status.getBatch() == null ? "the nodes" : "batch " + status.getBatch();
            if (started != null && !now.isBefore(started.plus(timeout))) {
                status.setPhase(VersionRollout.PAUSED);
                status.setMessage(moving.size() + " node(s) of " + batch + " do not run version " + version
                        + " Ready after " + Durations.text(timeout) + " (" + String.join(", ", names(moving))
                        + "); no further node moves. Fix the Module (the rollout resumes once they are Ready) or "
                        + "set spec.version back to reverse it");
                if (!VersionRollout.PAUSED.equals(wasPhase)) {
                    event = new Event(Reason.VERSION_ROLLOUT_PAUSED, true, "Version " + version + " rollout paused: "
                            + status.getMessage());
                }
            } else {
                status.setPhase(VersionRollout.ROLLING);
                status.setMessage(ready + " of " + sorted.size() + " targeted nodes run version " + version
                        + " Ready; waiting for " + moving.size() + " node(s) of " + batch);
                if (started != null) {
                    requeue = Duration.between(now, started.plus(timeout)).plusSeconds(1);
                }
            }
        } else if (Boolean.TRUE.equals(upgrade.getPaused())) {
            status.setPhase(VersionRollout.PAUSED);
            status.setMessage("spec.upgrade.paused is true: " + pending.size() + " node(s) still run other versions");
        } else {
            int batch = status.getBatch() == null ? 1 : status.getBatch() + 1;
            int size = batch == 1 ? upgrade.canaryOrDefault() : upgrade.batchSizeOrDefault();
            List<NodeView> next = pending.subList(0, Math.min(size, pending.size()));
            next.forEach(n -> label.put(n.name(), version));
            status.setBatch(batch);
            status.setBatchStarted(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
            status.setPhase(VersionRollout.ROLLING);
            status.setWaitingFor(names(next));
            status.setMessage(ready + " of " + sorted.size() + " targeted nodes run version " + version + " Ready; "
                    + (batch == 1 ? "canary " : "") + "batch " + batch + " moves " + next.size() + " node(s)");
            requeue = upgrade.timeoutOrDefault().plusSeconds(1);
            event = new Event(Reason.VERSION_BATCH_STARTED, false, "Version " + version + ": " + (batch == 1
                    ? "canary " : "") + "batch " + batch + " moves " + String.join(", ", names(next)));
        }
        return new Plan(status, label, requeue, event);
    }

    private static List<String> names(List<NodeView> nodes) {
        return nodes.stream().map(NodeView::name).limit(WAITING_LISTED).toList();
    }

    private static Instant parse(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null; // someone else's edit: the batch counts as started without a deadline
        }
    }
}
