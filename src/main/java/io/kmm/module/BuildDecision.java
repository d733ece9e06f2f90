package io.kmm.module;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.kmm.api.v1alpha1.BuildStatus;
import io.kmm.build.BuildPhase;
import io.kmm.build.BuildRequest;
import io.kmm.build.BuildState;
import io.kmm.build.BuildStep;
import io.kmm.registry.ImageCheck;
import io.kmm.status.Reason;

/**
 * What in-cluster builds mean for one kernel that has build settings. Decided by {@link #decide}, a pure function of
 * what was observed: starts a build when the image is missing (never waits for one), replaces stale builds, deletes
 * successful ones after their retention, and says whether the kernel's loader must wait.
 *
 * @param held the kernel's image is not available: its loader is not created (an existing one is left as it is)
 * @param build the build to show in the kernel's status, or null
 * @param reason with {@code error}: the Degraded reason
 * @param error what the user must know or fix, or null
 * @param actions builds to start and build objects to delete
 * @param requeueAfter when to look again (a successful build's retention ends), or null
 */
public record BuildDecision(boolean held, BuildStatus build, Reason reason, String error, List<Action> actions,
        Duration requeueAfter) {

    /**
     * What is known about one kernel's image and builds.
     *
     * @param request the build this kernel's settings ask for
     * @param buildName the name its build object gets ({@link io.kmm.build.BuildStrategy#buildName})
     * @param loaderRunsImage the kernel's loader DaemonSet already runs the image: the registry was not asked
     * @param image what the registry said about the image (null when the loader runs it); asked again, uncached,
     *        when a build for these inputs has succeeded
     * @param builds the kernel's build objects, current and stale
     */
    public record Facts(BuildRequest request, String buildName, boolean loaderRunsImage, ImageCheck image,
            List<BuildState> builds) {
    }

    /**
     * @param objectKind "Job" or "Build", as users see it
     * @param retention how long successful builds are kept
     */
    public static BuildDecision decide(Facts facts, String objectKind, Instant now, Duration retention) {
        BuildRequest request = facts.request();
        String hash = request.inputsHash();
        BuildState current = facts.builds().stream().filter(b -> hash.equals(b.inputsHash())).findFirst()
                .orElse(null);
        if (facts.loaderRunsImage() || facts.image().isPresent()) {
            // The image exists (the loader may already run it): show the build that made it, until it is cleaned up.
            List<Action> actions = new ArrayList<>();
            Duration requeue = null;
            for (BuildState b : facts.builds()) {
                if (b.phase() != BuildPhase.SUCCEEDED) {
                    continue; // failed builds are kept for inspection; running ones finish first
                }
                Instant due = (b.finishedAt() == null ? now : b.finishedAt()).plus(retention);
                if (!now.isBefore(due)) {
                    actions.add(new Action.DeleteBuild(request.kernel(), b.name(), "succeeded "
                            + retention.toSeconds() + " s ago or more"));
                } else {
                    requeue = min(requeue, Duration.between(now, due).plusSeconds(1));
                }
            }
            return new BuildDecision(false, current == null ? null : status(objectKind, current), null, null,
                    List.copyOf(actions), requeue);
        }
        if (facts.image().isFailure()) {
            // Nothing is built on a failure that says nothing about the image (no build storm); the reconciler
            // asks again with backoff.
            return new BuildDecision(true, null, Reason.REGISTRY_CHECK_FAILED, facts.image().message(), List.of(),
                    null);
        }
        // The image is absent: it has to be built.
        List<Action> actions = new ArrayList<>();
        for (BuildState b : facts.builds()) {
            if (!hash.equals(b.inputsHash())) {
                actions.add(new Action.DeleteBuild(request.kernel(), b.name(), "inputs changed"));
            }
        }
        if (current == null) {
            actions.add(new Action.StartBuild(request));
            current = new BuildState(facts.buildName(), request.kernel(), hash, BuildPhase.PENDING, null, null);
        }
        BuildStatus status = status(objectKind, current);
        String object = status.getObject();
        boolean signs = request.step() == BuildStep.SIGN;
        Reason failed = signs ? Reason.SIGN_FAILED : Reason.BUILD_FAILED;
        String what = signs ? "signing " : "build ";
        return switch (current.phase()) {
            case PENDING, RUNNING -> new BuildDecision(true, status, null, null, List.copyOf(actions), null);
            case FAILED -> new BuildDecision(true, status, failed, what + object + " of "
                    + request.image() + " for kernel " + request.kernel() + " failed"
                    + (current.message() == null ? "" : ": " + current.message()) + "; it is kept for inspection "
                    + "(its log says why) and not retried until the Module's " + (signs ? "signing" : "build")
                    + " inputs change", List.copyOf(actions), null);
            // asked again after the build succeeded, and still absent
            case SUCCEEDED -> new BuildDecision(true, status, failed, what + object
                    + " succeeded but " + facts.image().message(), List.copyOf(actions), null);
        };
    }

    /** A kernel that waits for an earlier step (the signing waits for the build): held, nothing to show or do. */
    static BuildDecision waiting() {
        return new BuildDecision(true, null, null, null, List.of(), null);
    }

    /** A kernel that cannot go on: held, with the Degraded reason and message. */
    static BuildDecision blocked(Reason reason, String error) {
        return new BuildDecision(true, null, reason, error, List.of(), null);
    }

    private static BuildStatus status(String objectKind, BuildState b) {
        return new BuildStatus(b.phase().display(), objectKind + " " + b.name(), b.message());
    }

    static Duration min(Duration a, Duration b) {
        if (a == null) {
            return b;
        }
        return b == null || a.compareTo(b) <= 0 ? a : b;
    }
}
