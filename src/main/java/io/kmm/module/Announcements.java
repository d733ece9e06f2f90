package io.kmm.module;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.kmm.api.v1alpha1.KernelStatus;
import io.kmm.api.v1alpha1.ModuleStatus;
import io.kmm.build.BuildPhase;
import io.kmm.status.BuildCounted;
import io.kmm.status.Conditions;
import io.kmm.status.Reason;
import io.kmm.status.Warning;

/**
 * What is new in a status, worth an event: a new error, a build that finished, a new warning. Each is told once, when
 * it appears, not on every reconcile. Pure.
 */
final class Announcements {

    /**
     * @param warning a Warning event (else Normal)
     * @param counted a build that finished, for the build counters, or null
     */
    record Announcement(boolean warning, Reason reason, String message, BuildCounted counted) {
    }

    private Announcements() {
    }

    /** @param previous the status before this reconcile, or null */
    static List<Announcement> between(ModuleStatus previous, ModuleStatus status, List<Warning> warnings) {
        List<Announcement> out = new ArrayList<>();
        var degraded = Conditions.find(status.getConditions(), Conditions.DEGRADED).orElseThrow();
        var before = previous == null ? null
                : Conditions.find(previous.getConditions(), Conditions.DEGRADED).orElse(null);
        if ("True".equals(degraded.getStatus())
                && (before == null || !Objects.equals(before.getMessage(), degraded.getMessage()))) {
            out.add(new Announcement(true, Reason.of(degraded.getReason()), degraded.getMessage(), null));
        }
        for (KernelStatus kernel : status.getKernels()) {
            if (kernel.getBuild() == null) {
                continue;
            }
            String phase = kernel.getBuild().getPhase();
            String phaseBefore = previous == null ? null : previous.getKernels().stream()
                    .filter(k -> k.getKernel().equals(kernel.getKernel()) && k.getBuild() != null).findFirst()
                    .map(k -> k.getBuild().getPhase()).orElse(null);
            if (phase.equals(phaseBefore)) {
                continue;
            }
            if (BuildPhase.SUCCEEDED.display().equals(phase)) {
                out.add(new Announcement(false, Reason.BUILD_SUCCEEDED, kernel.getBuild().getObject() + " built "
                        + kernel.getImage() + " for kernel " + kernel.getKernel(), BuildCounted.SUCCEEDED));
            } else if (BuildPhase.FAILED.display().equals(phase)) {
                out.add(new Announcement(true, Reason.BUILD_FAILED, kernel.getBuild().getObject()
                        + " failed to build " + kernel.getImage() + " for kernel " + kernel.getKernel(),
                        BuildCounted.FAILED));
            }
        }
        for (Warning warning : warnings) {
            if (previous == null || !previous.getWarnings().contains(warning.message())) {
                out.add(new Announcement(true, warning.reason(), warning.message(), null));
            }
        }
        return out;
    }
}
