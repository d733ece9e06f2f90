package io.kmm.module;

import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.Module;
import io.kmm.build.BuildPhase;
import io.kmm.build.BuildRequest;
import io.kmm.build.BuildState;
import io.kmm.kernel.KernelMapper;
import io.kmm.kernel.KernelResolution;
import io.kmm.registry.ImageCheck;
import io.kmm.status.Reason;

/** Every branch of the build decision, as plain data in and out. */
class BuildDecisionTest {

    static final String KERNEL = "6.5.0-build";
    static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    static final Duration RETENTION = Duration.ofMinutes(10);
    static final ImageCheck PRESENT = new ImageCheck(ImageCheck.Outcome.PRESENT, "image exists");
    static final ImageCheck ABSENT = new ImageCheck(ImageCheck.Outcome.ABSENT, "image reg/mod:6.5.0-build does not "
            + "exist");
    static final ImageCheck UNREACHABLE = new ImageCheck(ImageCheck.Outcome.UNREACHABLE, "registry reg is "
            + "unreachable");

    static BuildRequest request(String dockerfile) {
        Module m = module("ns", "mod", Map.of(), regexp("build$", "reg/mod:${KERNEL_FULL_VERSION}"));
        m.getMetadata().setUid("uid-1");
        Build build = new Build();
        build.setDockerfile(dockerfile);
        m.getSpec().setBuild(build);
        var kernel = (KernelResolution.Resolved) new KernelMapper("mod", "ns", m.getSpec()).resolve(KERNEL);
        return BuildRequest.of(m, kernel, "kaniko:1");
    }

    static final BuildRequest REQUEST = request("FROM base");
    static final String STALE_HASH = request("FROM older").inputsHash();

    static BuildState build(String name, String hash, BuildPhase phase, Instant finished) {
        return new BuildState(name, KERNEL, hash, phase, finished, phase == BuildPhase.FAILED ? "BackoffLimitExceeded"
                : null);
    }

    static BuildDecision decide(boolean running, ImageCheck image, BuildState... builds) {
        return BuildDecision.decide(new BuildDecision.Facts(REQUEST, "job-new", running, image, List.of(builds)), "Job",
                NOW, RETENTION);
    }

    @Test
    void imagePresentNoBuild() {
        BuildDecision d = decide(false, PRESENT);
        assertThat(d.held()).isFalse();
        assertThat(d.build()).isNull();
        assertThat(d.error()).isNull();
        assertThat(d.actions()).isEmpty();
        assertThat(d.requeueAfter()).isNull();
    }

    @Test
    void loaderAlreadyRunsTheImageTheRegistryIsNotNeeded() {
        BuildDecision d = decide(true, null);
        assertThat(d.held()).isFalse();
        assertThat(d.actions()).isEmpty();
    }

    @Test
    void imageMissingStartsOneBuildAndHoldsTheLoader() {
        BuildDecision d = decide(false, ABSENT);
        assertThat(d.held()).isTrue();
        assertThat(d.error()).isNull();
        assertThat(d.actions()).singleElement().isEqualTo(new Action.StartBuild(REQUEST));
        assertThat(d.build().getPhase()).isEqualTo("Pending");
        assertThat(d.build().getObject()).isEqualTo("Job job-new");
    }

    @Test
    void buildingWaitsWithoutStartingAnother() {
        BuildDecision d = decide(false, ABSENT, build("job-1", REQUEST.inputsHash(), BuildPhase.RUNNING, null));
        assertThat(d.held()).isTrue();
        assertThat(d.actions()).isEmpty();
        assertThat(d.build().getPhase()).isEqualTo("Running");
        assertThat(d.build().getObject()).isEqualTo("Job job-1");
    }

    @Test
    void failedBuildIsReportedKeptAndNotRetried() {
        BuildDecision d = decide(false, ABSENT, build("job-1", REQUEST.inputsHash(), BuildPhase.FAILED, NOW));
        assertThat(d.held()).isTrue();
        assertThat(d.reason()).isEqualTo(Reason.BUILD_FAILED);
        assertThat(d.error()).contains("build Job job-1 of reg/mod:6.5.0-build for kernel 6.5.0-build failed: "
                + "BackoffLimitExceeded").contains("not retried until the Module's build inputs change");
        assertThat(d.actions()).isEmpty();
    }

    @Test
    void succeededBuildWhoseImageIsPresentLetsTheLoaderRunAndIsShown() {
        BuildDecision d = decide(false, PRESENT, build("job-1", REQUEST.inputsHash(), BuildPhase.SUCCEEDED,
                NOW.minusSeconds(60)));
        assertThat(d.held()).isFalse();
        assertThat(d.build().getPhase()).isEqualTo("Succeeded");
        assertThat(d.actions()).isEmpty();
        assertThat(d.requeueAfter()).isEqualTo(Duration.ofSeconds(541)); // when its retention ends, plus a second
    }

    @Test
    void succeededBuildWhoseImageIsStillAbsentIsAFailure() {
        BuildDecision d = decide(false, ABSENT, build("job-1", REQUEST.inputsHash(), BuildPhase.SUCCEEDED, NOW));
        assertThat(d.held()).isTrue();
        assertThat(d.reason()).isEqualTo(Reason.BUILD_FAILED);
        assertThat(d.error()).isEqualTo("build Job job-1 succeeded but " + ABSENT.message());
        assertThat(d.actions()).isEmpty();
    }

    @Test
    void staleBuildsAreDeletedWhenTheImageMustBeBuiltAgain() {
        BuildDecision d = decide(false, ABSENT, build("job-old", STALE_HASH, BuildPhase.FAILED, NOW));
        assertThat(d.actions()).containsExactly(new Action.DeleteBuild(KERNEL, "job-old", "inputs changed"),
                new Action.StartBuild(REQUEST));
        assertThat(d.held()).isTrue();
    }

    @Test
    void successfulBuildsAreDeletedAfterTheirRetentionFailedOnesAreKept() {
        BuildDecision d = decide(true, null,
                build("job-done", REQUEST.inputsHash(), BuildPhase.SUCCEEDED, NOW.minus(RETENTION)),
                build("job-old-done", STALE_HASH, BuildPhase.SUCCEEDED, NOW.minus(Duration.ofHours(1))),
                build("job-failed", STALE_HASH, BuildPhase.FAILED, NOW.minus(Duration.ofHours(1))));
        assertThat(d.held()).isFalse();
        assertThat(d.actions()).extracting(a -> ((Action.DeleteBuild) a).name())
                .containsExactly("job-done", "job-old-done");
        assertThat(d.requeueAfter()).isNull();
        assertThat(d.build().getObject()).isEqualTo("Job job-done");
    }

    @Test
    void aRegistryThatCannotBeAskedBuildsNothing() {
        BuildDecision d = decide(false, UNREACHABLE);
        assertThat(d.held()).isTrue();
        assertThat(d.reason()).isEqualTo(Reason.REGISTRY_CHECK_FAILED);
        assertThat(d.error()).isEqualTo(UNREACHABLE.message());
        assertThat(d.actions()).isEmpty();
    }
}
