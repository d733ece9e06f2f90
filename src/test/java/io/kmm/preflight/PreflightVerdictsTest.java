package io.kmm.preflight;

import static io.kmm.TestModules.literal;
import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.PreflightModuleStatus;
import io.kmm.build.BuildPhase;
import io.kmm.build.BuildRequest;
import io.kmm.build.BuildState;
import io.kmm.build.kaniko.KanikoJobs;
import io.kmm.kernel.KernelResolution;
import io.kmm.meta.Labels;
import io.kmm.module.Action;
import io.kmm.module.BuildDecision;
import io.kmm.module.ImageFacts;
import io.kmm.module.ModulePlan;
import io.kmm.module.ModulePlanner;
import io.kmm.module.Observed;
import io.kmm.module.SelectedNodes;
import io.kmm.registry.ImageCheck;
import io.kmm.status.Reason;

/** The preflight's verdicts, from the Module's own plan for kernels no node runs: plain data in and out. */
class PreflightVerdictsTest {

    static final String KERNEL = "6.9.0-next";
    static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    static final ImageCheck PRESENT = new ImageCheck(ImageCheck.Outcome.PRESENT, "image exists");
    static final ImageCheck ABSENT = new ImageCheck(ImageCheck.Outcome.ABSENT, "image reg/mod:6.9.0-next does not "
            + "exist");
    static final ImageCheck UNREACHABLE = new ImageCheck(ImageCheck.Outcome.UNREACHABLE, "registry reg is "
            + "unreachable");

    record Run(PreflightModuleStatus status, List<Action> actions, BuildRequest request) {
    }

    static Module plain() {
        Module m = module("drivers", "mod", Map.of(), literal(KERNEL, "reg/mod:${KERNEL_FULL_VERSION}"));
        m.getMetadata().setUid("mod-uid");
        m.getMetadata().setGeneration(3L);
        return m;
    }

    static Module built() {
        Module m = module("drivers", "mod", Map.of(), regexp("-next$", "reg/mod:${KERNEL_FULL_VERSION}"));
        m.getMetadata().setUid("mod-uid");
        m.getMetadata().setGeneration(3L);
        Build build = new Build();
        build.setDockerfile("FROM base\nRUN make");
        m.getSpec().setBuild(build);
        return m;
    }

    /** The Module's plan for the kernel as the preflight makes it, the image facts given. */
    static Run run(Module module, boolean push, ImageCheck image, ImageCheck plain, BuildPhase... builds) {
        SelectedNodes nodes = new SelectedNodes(new TreeMap<>(Map.of(KERNEL, 0)), 0);
        ModulePlanner.Resolution resolution = ModulePlanner.resolve(module, nodes);
        BuildRequest.Preflight by = new BuildRequest.Preflight("next-os", "pv-uid", push);
        Map<String, BuildDecision.Facts> facts = new TreeMap<>();
        BuildRequest request = null;
        List<BuildState> states = List.of();
        if (resolution.kernels().get(KERNEL) instanceof KernelResolution.Resolved r && r.build() != null) {
            request = BuildRequest.of(module, r, "kaniko:1").forPreflight(by);
            BuildRequest req = request;
            states = java.util.Arrays.stream(builds).map(p -> new BuildState(req.objectName(), KERNEL,
                    req.inputsHash(), p, p == BuildPhase.SUCCEEDED || p == BuildPhase.FAILED ? NOW : null,
                    p == BuildPhase.FAILED ? "BackoffLimitExceeded" : null)).toList();
            facts.put(KERNEL, new BuildDecision.Facts(request, request.objectName(), false, image, states));
        }
        ImageFacts.Found found = new ImageFacts.Found(facts, Map.of());
        ModulePlan plan = ModulePlanner.plan(new Observed(module, nodes, Map.of(), states), resolution, facts,
                Map.of(), new ModulePlanner.Settings(Labels.KERNEL_VERSION, "Job", Duration.ofMinutes(10), NOW));
        var verdicts = PreflightVerdicts.of(module, List.of(KERNEL), plan, found,
                plain == null ? Map.of() : Map.of(KERNEL, plain), push, "Job");
        assertThat(verdicts).hasSize(1);
        return new Run(verdicts.get(0).status(), verdicts.get(0).actions(), request);
    }

    @Test
    void aKernelNoMappingMatchesFails() {
        Module m = module("drivers", "mod", Map.of(), literal("6.1.0-old", "reg/mod:old"));
        m.getMetadata().setUid("mod-uid");
        Run r = run(m, false, null, null);
        assertThat(r.status().getVerdict()).isEqualTo(PreflightModuleStatus.FAILURE);
        assertThat(r.status().getReason()).isEqualTo(Reason.NO_KERNEL_MAPPING.toString());
        assertThat(r.status().getMessage()).contains(KERNEL);
        assertThat(r.actions()).isEmpty();
    }

    @Test
    void anInvalidMappingFailsWithItsFieldAndReason() {
        Module m = module("drivers", "mod", Map.of(), regexp("(unclosed", "reg/mod:x"));
        m.getMetadata().setUid("mod-uid");
        Run r = run(m, false, null, null);
        assertThat(r.status().getVerdict()).isEqualTo(PreflightModuleStatus.FAILURE);
        assertThat(r.status().getReason()).isEqualTo(Reason.INVALID_KERNEL_MAPPING.toString());
        assertThat(r.status().getMessage()).contains("spec.kernelMappings[0].regexp");
    }

    @Test
    void aPlainImageIsJudgedByTheRegistry() {
        Run present = run(plain(), false, null, PRESENT);
        assertThat(present.status().getVerdict()).isEqualTo(PreflightModuleStatus.SUCCESS);
        assertThat(present.status().getReason()).isEqualTo("ImagePresent");
        assertThat(present.status().getImage()).isEqualTo("reg/mod:" + KERNEL);
        assertThat(present.status().getModuleGeneration()).isEqualTo(3L);

        Run absent = run(plain(), true, null, ABSENT);
        assertThat(absent.status().getVerdict()).isEqualTo(PreflightModuleStatus.FAILURE);
        assertThat(absent.status().getReason()).isEqualTo("ImageMissing");
        assertThat(absent.status().getMessage()).contains("does not exist").contains("no build settings");
        assertThat(absent.actions()).isEmpty();

        Run unreachable = run(plain(), false, null, UNREACHABLE);
        assertThat(unreachable.status().getVerdict()).isEqualTo(PreflightModuleStatus.IN_PROGRESS);
        assertThat(unreachable.status().getReason()).isEqualTo("RegistryCheckFailed");
    }

    @Test
    void aMissingImageIsBuiltAsThePreflightsOwnBuildAndPushedWhenAsked() {
        Run r = run(built(), true, ABSENT, null);
        assertThat(r.status().getVerdict()).isEqualTo(PreflightModuleStatus.IN_PROGRESS);
        assertThat(r.status().getReason()).isEqualTo("Building");
        assertThat(r.actions()).singleElement().isInstanceOfSatisfying(Action.StartBuild.class, start -> {
            BuildRequest req = start.request();
            assertThat(req.preflight()).isNotNull();
            assertThat(req.push()).isTrue();
            assertThat(req.objectName()).startsWith("preflight-mod-");
            assertThat(req.labels()).containsEntry(Labels.PREFLIGHT, "next-os")
                    .containsEntry(Labels.ROLE, Labels.ROLE_BUILD);
            assertThat(req.ownerReference().getKind()).isEqualTo("PreflightValidation");
            assertThat(req.ownerReference().getUid()).isEqualTo("pv-uid");
            var job = KanikoJobs.desired(req, "kaniko:1", new KanikoJobs.JobLimits(0, Duration.ofMinutes(30),
                    java.util.Optional.empty()));
            assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                    .doesNotContain("--no-push").contains("--destination=reg/mod:" + KERNEL);
        });
        assertThat(r.status().getBuild()).isEqualTo(r.request().objectName());

        Run running = run(built(), true, ABSENT, null, BuildPhase.RUNNING);
        assertThat(running.status().getVerdict()).isEqualTo(PreflightModuleStatus.IN_PROGRESS);
        assertThat(running.actions()).isEmpty();

        Run failed = run(built(), true, ABSENT, null, BuildPhase.FAILED);
        assertThat(failed.status().getVerdict()).isEqualTo(PreflightModuleStatus.FAILURE);
        assertThat(failed.status().getReason()).isEqualTo("BuildFailed");
        assertThat(failed.status().getMessage()).contains("BackoffLimitExceeded");

        Run pushed = run(built(), true, PRESENT, null, BuildPhase.SUCCEEDED);
        assertThat(pushed.status().getVerdict()).isEqualTo(PreflightModuleStatus.SUCCESS);
        assertThat(pushed.status().getReason()).isEqualTo("ImagePresent");
    }

    @Test
    void withoutPushTheBuildOnlyShowsThatTheImageBuilds() {
        Run r = run(built(), false, ABSENT, null);
        assertThat(r.actions()).singleElement().isInstanceOfSatisfying(Action.StartBuild.class, start -> {
            assertThat(start.request().push()).isFalse();
            var job = KanikoJobs.desired(start.request(), "kaniko:1", new KanikoJobs.JobLimits(0,
                    Duration.ofMinutes(30), java.util.Optional.empty()));
            assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).contains("--no-push");
        });
        // another build than the one that pushes (and than the Module's own)
        BuildRequest pushing = run(built(), true, ABSENT, null).request();
        assertThat(r.request().inputsHash()).isNotEqualTo(pushing.inputsHash());

        Run verified = run(built(), false, ABSENT, null, BuildPhase.SUCCEEDED);
        assertThat(verified.status().getVerdict()).isEqualTo(PreflightModuleStatus.SUCCESS);
        assertThat(verified.status().getReason()).isEqualTo("BuildVerified");
        assertThat(verified.status().getMessage()).contains("without pushing").contains("pushBuiltImage");
        assertThat(verified.actions()).isEmpty();
    }

    @Test
    void aPreflightBuildIsNeverTakenForTheModulesOwn() {
        Run r = run(built(), true, ABSENT, null);
        var job = KanikoJobs.desired(r.request(), "kaniko:1", new KanikoJobs.JobLimits(0, Duration.ofMinutes(30),
                java.util.Optional.empty()));
        assertThat(io.kmm.build.BuildObjects.belongsTo(job, built())).isFalse();
        assertThat(io.kmm.build.BuildObjects.ownedBy(job, "pv-uid", built())).isTrue();
        Module other = built();
        other.getMetadata().setName("other");
        assertThat(io.kmm.build.BuildObjects.ownedBy(job, "pv-uid", other)).isFalse();
    }
}
