package io.kmm.module;

import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kmm.api.v1alpha1.KernelStatus;
import io.kmm.api.v1alpha1.ModuleStatus;
import io.kmm.api.v1alpha1.UnmatchedKernel;
import io.kmm.status.Conditions;

/**
 * How often a Module's status is written while a rollout progresses. A change of what a user acts on (a condition's
 * status or reason, an error, a kernel's phase or build, a kernel appearing or going, a warning) is written at once;
 * a change of counts only (how many nodes are selected, targeted, run each kernel, and how many loader pods are
 * available, with the Ready and Progressing messages that count them) waits until {@code interval} has passed since
 * the Module's last status write, and is then written as it is by then. So a rollout over a thousand nodes, or a fleet
 * whose nodes change kernel one by one, costs a write every interval per Module, not one per pod or node, and the
 * status is exact once things settle (the deferred write always comes). Pure.
 */
public final class StatusPacing {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StatusPacing() {
    }

    /**
     * @param lastWrite when this operator last wrote the Module's status, or null
     * @return null to write now, or how long to wait before writing
     */
    public static Duration deferral(ModuleStatus before, ModuleStatus after, Instant lastWrite, Instant now,
            Duration interval) {
        if (before == null || lastWrite == null || interval.isZero() || !progressOnly(before, after)) {
            return null;
        }
        Instant due = lastWrite.plus(interval);
        return now.isBefore(due) ? Duration.between(now, due) : null;
    }

    /** Whether two statuses differ only in progress: node and available counts and the messages that count them. */
    static boolean progressOnly(ModuleStatus before, ModuleStatus after) {
        return withoutProgress(before).equals(withoutProgress(after));
    }

    private static ModuleStatus withoutProgress(ModuleStatus status) {
        ModuleStatus s = MAPPER.convertValue(status, ModuleStatus.class);
        s.setSelectedNodes(null);
        s.setTargetedNodes(null);
        s.setAvailableNodes(null);
        for (KernelStatus k : s.getKernels()) {
            k.setNodes(null);
            k.setDesired(null);
            k.setAvailable(null);
        }
        for (UnmatchedKernel u : s.getUnmatchedKernels()) {
            u.setNodes(null);
        }
        if (s.getUpgrade() != null) {
            s.getUpgrade().setNodesReady(null);
            s.getUpgrade().setMessage(null);
            s.getUpgrade().setWaitingFor(null);
        }
        if (s.getDevicePlugin() != null) {
            s.getDevicePlugin().setDesired(null);
            s.getDevicePlugin().setAvailable(null);
        }
        s.getConditions().forEach(c -> {
            c.setLastTransitionTime(null);
            if (Conditions.READY.equals(c.getType()) || Conditions.PROGRESSING.equals(c.getType())) {
                c.setMessage(null);
            }
        });
        return s;
    }
}
