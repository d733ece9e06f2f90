package io.kmm.module;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.kmm.api.v1alpha1.DaemonSetSummary;
import io.kmm.api.v1alpha1.KernelStatus;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.ModuleStatus;
import io.kmm.api.v1alpha1.UnmatchedKernel;
import io.kmm.kernel.KernelResolution;
import io.kmm.status.Conditions;
import io.kmm.status.Reason;

/**
 * Turns a plan and what its actions left in the cluster into the Module's status. Pure: the same inputs give the same
 * status, and an unchanged condition keeps its lastTransitionTime, so an unchanged world gives an unchanged status.
 */
public final class ModuleStatusAggregator {

    static final String PHASE_BUILDING = "Building";
    static final String PHASE_SIGNING = "Signing";
    static final String PHASE_ROLLING_OUT = "RollingOut";
    static final String PHASE_READY = "Ready";
    static final String PHASE_FAILED = "Failed";

    private ModuleStatusAggregator() {
    }

    /**
     * @param plan the plan of this reconcile
     * @param executed the Module's DaemonSets as they are after the plan was carried out, and those the API server
     *        refused
     */
    public static ModuleStatus aggregate(Module module, ModulePlan plan, ModuleActions.Executed executed,
            Instant now) {
        Map<String, DaemonSet> daemonSets = executed.daemonSets();
        Map<String, String> rejected = executed.rejected();
        Long generation = module.getMetadata().getGeneration();
        ModuleStatus previous = module.getStatus() == null ? new ModuleStatus() : module.getStatus();
        ModuleStatus status = new ModuleStatus();
        status.setObservedGeneration(generation);
        SelectedNodes nodes = plan.nodes();
        status.setSelectedNodes(nodes.total());

        Set<String> errors = new LinkedHashSet<>();
        Set<Reason> reasons = new LinkedHashSet<>();
        plan.validation().problems().forEach(p -> {
            errors.add(p.toString());
            reasons.add(p.reason());
        });
        boolean building = false;
        boolean signing = false;
        Map<String, List<String>> kernelErrors = new LinkedHashMap<>();
        List<String> rollingOut = new ArrayList<>();
        int targeted = 0;
        int available = 0;

        for (KernelPlan kernelPlan : plan.kernels()) {
            KernelResolution resolution = kernelPlan.resolution();
            String kernel = kernelPlan.kernel();
            int count = kernelPlan.nodes();
            if (resolution instanceof KernelResolution.Unmatched) {
                status.getUnmatchedKernels().add(new UnmatchedKernel(kernel, count));
                continue;
            }
            targeted += count;
            KernelStatus ks = new KernelStatus();
            ks.setKernel(kernel);
            ks.setNodes(count);
            String dsName = kernelPlan.loaderName();
            ks.setDaemonSet(dsName);
            DaemonSet ds = dsName == null ? null : daemonSets.get(dsName);
            ks.setDesired(ds == null ? 0 : desired(ds));
            ks.setAvailable(ds == null ? 0 : available(ds));
            available += Math.min(count, ks.getAvailable());
            BuildDecision build = kernelPlan.build();
            if (build != null) {
                ks.setBuild(build.build());
            }
            BuildDecision sign = kernelPlan.sign();
            if (sign != null) {
                ks.setSign(sign.build());
            }
            boolean madeHere = build != null || sign != null;
            if (resolution instanceof KernelResolution.Resolved resolved) {
                ks.setMapping(resolved.mappingIndex());
                ks.setImage(resolved.image());
                BuildDecision failed = kernelPlan.failed();
                String phase = null;
                if (executed.refusedBuilds().containsKey(kernel)) {
                    String why = "the API server refused its build: " + executed.refusedBuilds().get(kernel);
                    ks.setError(why);
                    errors.add("kernel " + kernel + ": " + why);
                    reasons.add(Reason.BUILD_REFUSED);
                    phase = PHASE_FAILED;
                } else if (dsName != null && rejected.containsKey(dsName)) {
                    ks.setError(rejected.get(dsName));
                    errors.add("DaemonSet " + dsName + " for kernel " + kernel + " was rejected by the API server: "
                            + rejected.get(dsName));
                    reasons.add(Reason.DAEMON_SET_REJECTED);
                    phase = PHASE_FAILED;
                } else if (failed != null) {
                    ks.setError(failed.error());
                    // the same failure on several kernels (e.g. a missing Secret) is told once, with its kernels
                    kernelErrors.computeIfAbsent(failed.error(), k -> new ArrayList<>()).add(kernel);
                    reasons.add(failed.reason());
                    phase = PHASE_FAILED;
                } else if (build != null && build.held()) {
                    building = true;
                    rollingOut.add("kernel " + kernel + ": building " + resolved.buildImage()
                            + (build.build() == null ? "" : " (" + build.build().getObject() + " "
                                    + build.build().getPhase() + ")"));
                    phase = PHASE_BUILDING;
                } else if (sign != null && sign.held()) {
                    signing = true;
                    rollingOut.add("kernel " + kernel + ": signing " + resolved.image()
                            + (sign.build() == null ? "" : " (" + sign.build().getObject() + " "
                                    + sign.build().getPhase() + ")"));
                    phase = PHASE_SIGNING;
                } else if (!(plan.podsBlocked() && ds == null) && !rolledOut(ds, count)) {
                    rollingOut.add("kernel " + kernel + ": " + ks.getAvailable() + "/" + count + " available");
                    phase = PHASE_ROLLING_OUT;
                } else {
                    phase = PHASE_READY;
                }
                if (madeHere) {
                    ks.setPhase(phase); // kernels whose image is built or signed here
                }
            } else if (resolution instanceof KernelResolution.Invalid invalid) {
                ks.setMapping(invalid.mappingIndex());
                ks.setError(invalid.problem().toString());
                kernelErrors.computeIfAbsent(ks.getError(), k -> new ArrayList<>()).add(kernel);
                reasons.add(invalid.reason());
            }
            status.getKernels().add(ks);
        }
        kernelErrors.forEach((error, kernels) -> {
            errors.remove(error); // the validation found it too: report it once, with its kernels
            errors.add(error + " (kernels: " + String.join(", ", kernels) + ")");
        });

        for (String failure : executed.failures()) {
            errors.add(failure);
            reasons.add(Reason.RECONCILE_FAILED);
        }

        boolean devicePluginReady = true;
        if (plan.devicePluginName() != null) {
            DaemonSet dp = daemonSets.get(plan.devicePluginName());
            status.setDevicePlugin(new DaemonSetSummary(plan.devicePluginName(), dp == null ? 0 : desired(dp),
                    dp == null ? 0 : available(dp)));
            if (rejected.containsKey(plan.devicePluginName())) {
                errors.add("device plugin DaemonSet " + plan.devicePluginName() + " was rejected by the API server: "
                        + rejected.get(plan.devicePluginName()));
                reasons.add(Reason.DAEMON_SET_REJECTED);
                devicePluginReady = false;
            } else if (!rolledOut(dp, targeted)) {
                rollingOut.add("device plugin: " + status.getDevicePlugin().getAvailable() + "/"
                        + status.getDevicePlugin().getDesired() + " available");
                devicePluginReady = false;
            }
        }
        status.setTargetedNodes(targeted);
        status.setAvailableNodes(available);
        plan.warnings().forEach(w -> status.getWarnings().add(w.message()));
        bound(status, errors);

        var previousConditions = previous.getConditions();
        boolean degraded = !errors.isEmpty();
        status.getConditions().add(Conditions.of(Conditions.READY,
                !degraded && rollingOut.isEmpty() && devicePluginReady,
                readyReason(degraded, rollingOut, targeted), readyMessage(status, degraded, plan), generation,
                previousConditions, now));
        status.getConditions().add(Conditions.of(Conditions.PROGRESSING, !rollingOut.isEmpty(),
                building ? Reason.BUILDING : signing ? Reason.SIGNING : !rollingOut.isEmpty() ? Reason.ROLLING_OUT
                        : degraded ? Reason.BLOCKED : Reason.COMPLETE,
                !rollingOut.isEmpty() ? String.join("; ", rollingOut)
                        : degraded ? "Waiting for the errors reported in Degraded to be fixed"
                                : "Every loader DaemonSet is rolled out",
                generation, previousConditions, now));
        status.getConditions().add(Conditions.of(Conditions.DEGRADED, degraded,
                degraded ? (reasons.size() == 1 ? reasons.iterator().next() : Reason.MULTIPLE_ERRORS)
                        : Reason.AS_EXPECTED,
                degraded ? String.join("; ", errors) : "No errors", generation, previousConditions, now));
        return status;
    }

    /** At most this many kernels (and unmatched kernels) are listed; the rest are counted. */
    static final int MAX_LISTED_KERNELS = 100;
    /** A condition's message holds at most this many characters. */
    static final int MAX_MESSAGE = 8 * 1024;

    /**
     * A status that always fits in the object (a Module selecting thousands of kernels, each with its message): the
     * lists are cut, errors first, and counted; long messages are cut. So the status write, which also reports the
     * failure, never fails for its size.
     */
    static void bound(ModuleStatus status, Set<String> errors) {
        int omitted = 0;
        if (status.getKernels().size() > MAX_LISTED_KERNELS) {
            List<KernelStatus> sorted = new ArrayList<>(status.getKernels());
            sorted.sort(java.util.Comparator.comparing((KernelStatus k) -> k.getError() == null));  // stable
            omitted += sorted.size() - MAX_LISTED_KERNELS;
            status.setKernels(new ArrayList<>(sorted.subList(0, MAX_LISTED_KERNELS)));
        }
        if (status.getUnmatchedKernels().size() > MAX_LISTED_KERNELS) {
            omitted += status.getUnmatchedKernels().size() - MAX_LISTED_KERNELS;
            status.setUnmatchedKernels(new ArrayList<>(status.getUnmatchedKernels().subList(0, MAX_LISTED_KERNELS)));
        }
        status.setKernelsNotListed(omitted == 0 ? null : omitted);
        status.getKernels().forEach(k -> k.setError(cut(k.getError(), 1024)));
        if (errors.stream().mapToInt(String::length).sum() > MAX_MESSAGE) {
            List<String> all = new ArrayList<>(errors);
            errors.clear();
            int length = 0;
            for (int i = 0; i < all.size(); i++) {
                String e = cut(all.get(i), 1024);
                if (length + e.length() > MAX_MESSAGE - 64) {
                    errors.add("... and " + (all.size() - i) + " more");
                    break;
                }
                errors.add(e);
                length += e.length() + 2;
            }
        }
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    private static Reason readyReason(boolean degraded, List<String> rollingOut, int targeted) {
        if (degraded) {
            return Reason.DEGRADED;
        }
        if (!rollingOut.isEmpty()) {
            return Reason.LOADERS_NOT_AVAILABLE;
        }
        return targeted == 0 ? Reason.NO_TARGETED_NODES : Reason.ALL_LOADERS_AVAILABLE;
    }

    private static String readyMessage(ModuleStatus status, boolean degraded, ModulePlan plan) {
        StringBuilder msg = new StringBuilder();
        if (!degraded && status.getTargetedNodes() == 0) {
            // Nothing to wait for, and nothing loaded: say so, and why (the same words as the warning).
            String why = plan.warnings().stream().filter(w -> w.reason() == Reason.NO_TARGETED_NODES)
                    .map(io.kmm.status.Warning::message).findFirst().orElse("no node is targeted");
            return Character.toUpperCase(why.charAt(0)) + why.substring(1);
        }
        msg.append(status.getAvailableNodes()).append(" of ").append(status.getTargetedNodes())
                .append(" targeted nodes run an available module loader");
        if (!status.getUnmatchedKernels().isEmpty()) {
            int skipped = status.getUnmatchedKernels().stream().mapToInt(UnmatchedKernel::getNodes).sum();
            msg.append("; ").append(skipped).append(" selected node(s) skipped because no kernel mapping matches ")
                    .append("their kernel (").append(String.join(", ",
                            status.getUnmatchedKernels().stream().map(UnmatchedKernel::getKernel).toList()))
                    .append(")");
        }
        if (degraded) {
            msg.append("; see the Degraded condition");
        }
        return msg.toString();
    }


    /** Whether the DaemonSet controller reports {@code wanted} up-to-date, available pods for the current spec. */
    static boolean rolledOut(DaemonSet ds, int wanted) {
        if (ds == null || ds.getStatus() == null) {
            return wanted == 0;
        }
        DaemonSetStatus s = ds.getStatus();
        Long generation = ds.getMetadata().getGeneration();
        if (generation != null && (s.getObservedGeneration() == null || s.getObservedGeneration() < generation)) {
            return false;
        }
        int updated = s.getUpdatedNumberScheduled() == null ? 0 : s.getUpdatedNumberScheduled();
        return available(ds) >= wanted && updated >= wanted;
    }

    static int desired(DaemonSet ds) {
        return ds.getStatus() == null || ds.getStatus().getDesiredNumberScheduled() == null ? 0
                : ds.getStatus().getDesiredNumberScheduled();
    }

    static int available(DaemonSet ds) {
        return ds.getStatus() == null || ds.getStatus().getNumberAvailable() == null ? 0
                : ds.getStatus().getNumberAvailable();
    }
}
