package io.kmm.module;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.kmm.api.v1alpha1.BuildStatus;
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

    /** A build or signing of a kernel that finished since the previous status. */
    private static void announceStep(List<Announcement> out, ModuleStatus previous, KernelStatus kernel,
            BuildStatus step, boolean signs) {
        if (step == null) {
            return;
        }
        String phase = step.getPhase();
        String phaseBefore = previous == null ? null : previous.getKernels().stream()
                .filter(k -> k.getKernel().equals(kernel.getKernel()))
                .map(k -> signs ? k.getSign() : k.getBuild()).filter(Objects::nonNull).findFirst()
                .map(BuildStatus::getPhase).orElse(null);
        if (phase.equals(phaseBefore)) {
            return;
        }
        // A build whose output is signed afterwards makes the unsigned image.
        String image = signs || kernel.getSign() == null ? kernel.getImage()
                : "the unsigned image of " + kernel.getImage();
        if (BuildPhase.SUCCEEDED.display().equals(phase)) {
            out.add(new Announcement(false, signs ? Reason.SIGN_SUCCEEDED : Reason.BUILD_SUCCEEDED, step.getObject()
                    + (signs ? " signed " : " built ") + image + " for kernel " + kernel.getKernel(),
                    signs ? BuildCounted.SIGN_SUCCEEDED : BuildCounted.SUCCEEDED));
        } else if (BuildPhase.FAILED.display().equals(phase)) {
            out.add(new Announcement(true, signs ? Reason.SIGN_FAILED : Reason.BUILD_FAILED, step.getObject()
                    + (signs ? " failed to sign " : " failed to build ") + image + " for kernel " + kernel.getKernel(),
                    signs ? BuildCounted.SIGN_FAILED : BuildCounted.FAILED));
        }
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
            announceStep(out, previous, kernel, kernel.getBuild(), false);
            announceStep(out, previous, kernel, kernel.getSign(), true);
        }
        for (Warning warning : warnings) {
            if (previous == null || !previous.getWarnings().contains(warning.message())) {
                out.add(new Announcement(true, warning.reason(), warning.message(), null));
            }
        }
        return out;
    }
}
