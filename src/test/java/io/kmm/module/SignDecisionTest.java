package io.kmm.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.ModuleStatus;
import io.kmm.api.v1alpha1.Sign;
import io.kmm.build.BuildPhase;
import io.kmm.build.BuildRequest;
import io.kmm.build.BuildState;
import io.kmm.build.BuildStep;
import io.kmm.kernel.KernelMapper;
import io.kmm.kernel.KernelResolution;
import io.kmm.meta.Labels;
import io.kmm.registry.ImageCheck;
import io.kmm.sign.SigningBuilds;
import io.kmm.status.Conditions;
import io.kmm.status.Reason;

/** Every branch of the signing decision, and what the plan and the status make of it. */
class SignDecisionTest {

    static final String KERNEL = "6.1.0-13-amd64";
    static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    static final Duration RETENTION = Duration.ofMinutes(10);
    static final ImageCheck ABSENT = new ImageCheck(ImageCheck.Outcome.ABSENT, "image does not exist");
    static final ImageCheck PRESENT = new ImageCheck(ImageCheck.Outcome.PRESENT, "image exists");
    static final ImageCheck UNREACHABLE = new ImageCheck(ImageCheck.Outcome.UNREACHABLE, "registry unreachable");

    static Module module(boolean build) {
        Module m = io.kmm.TestModules.module("ns", "mod", Map.of(),
                io.kmm.TestModules.regexp("amd64$", "reg/mod:${KERNEL_FULL_VERSION}"));
        m.getMetadata().setUid("uid-1");
        Sign sign = new Sign();
        sign.setKeySecret(new LocalObjectReference("key"));
        sign.setCertSecret(new LocalObjectReference("cert"));
        sign.setFilesToSign(List.of("/opt/lib/modules/${KERNEL_FULL_VERSION}/mod.ko"));
        if (build) {
            Build b = new Build();
            b.setDockerfile("FROM base");
            m.getSpec().setBuild(b);
        } else {
            sign.setUnsignedImage("vendor/mod:${KERNEL_FULL_VERSION}");
        }
        m.getSpec().setSign(sign);
        return m;
    }

    static KernelResolution.Resolved kernel(Module m) {
        return (KernelResolution.Resolved) new KernelMapper("mod", "ns", m.getSpec()).resolve(KERNEL);
    }

    static final Module BUILT = module(true);
    static final BuildRequest SIGNING = SigningBuilds.request(BUILT, kernel(BUILT), "f".repeat(64),
            new SigningBuilds.Signer("signer:1", "/usr/local/bin/sign-file"), "kaniko:1", null);
    static final BuildRequest BUILD = BuildRequest.of(BUILT, kernel(BUILT), "kaniko:1");

    static BuildState state(BuildRequest r, BuildPhase phase) {
        return new BuildState(r.objectName(), KERNEL, r.inputsHash(), phase, phase.finished() ? NOW : null,
                phase == BuildPhase.FAILED ? "BackoffLimitExceeded" : null, r.step());
    }

    static SignDecision.Decided decide(boolean running, ImageCheck signed, ImageCheck unsigned, List<BuildState> signs,
            List<BuildState> builds, boolean withBuild) {
        BuildDecision.Facts sign = new BuildDecision.Facts(SIGNING, SIGNING.objectName(), running, signed, signs);
        BuildDecision.Facts build = withBuild ? new BuildDecision.Facts(BUILD, BUILD.objectName(), false, unsigned,
                builds) : null;
        return SignDecision.decide(new SignDecision.Facts(null, null, sign, build, withBuild ? null : unsigned), "Job",
                NOW, RETENTION);
    }

    @Test
    void theUnsignedImageIsBuiltFirst() {
        var d = decide(false, ABSENT, ABSENT, List.of(), List.of(), true);
        assertThat(d.held()).isTrue();
        assertThat(d.build().actions()).singleElement().isInstanceOfSatisfying(Action.StartBuild.class,
                a -> assertThat(a.request().step()).isEqualTo(BuildStep.BUILD));
        assertThat(d.sign().actions()).as("the signing waits").isEmpty();
        assertThat(d.sign().error()).isNull();
    }

    @Test
    void thenSigned() {
        var d = decide(false, ABSENT, PRESENT, List.of(), List.of(state(BUILD, BuildPhase.SUCCEEDED)), true);
        assertThat(d.held()).isTrue();
        assertThat(d.build().held()).isFalse();
        assertThat(d.sign().actions()).singleElement().isInstanceOfSatisfying(Action.StartBuild.class,
                a -> assertThat(a.request().step()).isEqualTo(BuildStep.SIGN));
        assertThat(d.sign().build().getPhase()).isEqualTo("Pending");
    }

    @Test
    void aFailedSigningIsReportedAndNotRetried() {
        var d = decide(false, ABSENT, PRESENT, List.of(state(SIGNING, BuildPhase.FAILED)),
                List.of(state(BUILD, BuildPhase.SUCCEEDED)), true);
        assertThat(d.sign().reason()).isEqualTo(Reason.SIGN_FAILED);
        assertThat(d.sign().error()).startsWith("signing Job " + SIGNING.objectName() + " of reg/mod:" + KERNEL
                + " for kernel " + KERNEL + " failed: BackoffLimitExceeded").contains("not retried");
        assertThat(d.sign().actions()).isEmpty();
    }

    @Test
    void signedWithTheCurrentInputsIsReady() {
        var d = decide(false, PRESENT, null, List.of(state(SIGNING, BuildPhase.SUCCEEDED)),
                List.of(state(BUILD, BuildPhase.SUCCEEDED)), true);
        assertThat(d.held()).isFalse();
        assertThat(d.sign().build().getPhase()).isEqualTo("Succeeded");
        assertThat(d.sign().requeueAfter()).as("clean-up after the retention").isNotNull();
        var later = SignDecision.decide(new SignDecision.Facts(null, null, new BuildDecision.Facts(SIGNING, "x", true,
                null, List.of(state(SIGNING, BuildPhase.SUCCEEDED))), new BuildDecision.Facts(BUILD, "y", false, null,
                        List.of(state(BUILD, BuildPhase.SUCCEEDED))), null), "Job", NOW.plus(RETENTION), RETENTION);
        assertThat(later.sign().actions()).singleElement().isInstanceOf(Action.DeleteBuild.class);
        assertThat(later.build().actions()).singleElement().isInstanceOf(Action.DeleteBuild.class);
    }

    @Test
    void theSignedImageIsJudgedByItsLabel() {
        String hash = SIGNING.inputsHash();
        ImageCheck current = new ImageCheck(ImageCheck.Outcome.PRESENT, "exists", Map.of(Labels.SIGN_INPUTS, hash));
        assertThat(SignDecision.signedWith(current, "reg/mod:1", hash).isPresent()).isTrue();
        ImageCheck older = SignDecision.signedWith(new ImageCheck(ImageCheck.Outcome.PRESENT, "exists",
                Map.of(Labels.SIGN_INPUTS, "0123456789")), "reg/mod:1", hash);
        assertThat(older.outcome()).isEqualTo(ImageCheck.Outcome.ABSENT);
        assertThat(older.message()).isEqualTo("image reg/mod:1 was signed with other inputs (a new key or "
                + "certificate, other files or images)");
        assertThat(SignDecision.signedWith(new ImageCheck(ImageCheck.Outcome.PRESENT, "exists", Map.of()),
                "reg/mod:1", hash).message()).contains("was not signed by KMM");
        assertThat(SignDecision.signedWith(UNREACHABLE, "reg/mod:1", hash)).isSameAs(UNREACHABLE);
        // A key rotated: the signed image is "absent", the unsigned one is there: only the signing runs again.
        var d = decide(false, older, PRESENT, List.of(), List.of(), true);
        assertThat(d.build().actions()).isEmpty();
        assertThat(d.sign().actions()).singleElement().isInstanceOf(Action.StartBuild.class);
    }

    @Test
    void withoutABuildTheUnsignedImageMustExist() {
        var missing = decide(false, ABSENT, ABSENT, List.of(), List.of(), false);
        assertThat(missing.build()).isNull();
        assertThat(missing.sign().reason()).isEqualTo(Reason.UNSIGNED_IMAGE_MISSING);
        assertThat(missing.sign().actions()).isEmpty();
        var unreachable = decide(false, ABSENT, UNREACHABLE, List.of(), List.of(), false);
        assertThat(unreachable.sign().reason()).isEqualTo(Reason.REGISTRY_CHECK_FAILED);
        var there = decide(false, ABSENT, PRESENT, List.of(), List.of(), false);
        assertThat(there.sign().actions()).singleElement().isInstanceOf(Action.StartBuild.class);
    }

    @Test
    void aProblemHoldsTheKernelWithoutAnyJob() {
        var d = SignDecision.decide(SignDecision.Facts.blocked(Reason.SIGNING_KEY_INVALID, "Secret ns/key (sign."
                + "keySecret) does not exist"), "Job", NOW, RETENTION);
        assertThat(d.held()).isTrue();
        assertThat(d.sign().actions()).isEmpty();
        assertThat(d.sign().reason()).isEqualTo(Reason.SIGNING_KEY_INVALID);
    }

    @Test
    void theRegistryFailingForTheSignedImageIsRetried() {
        var d = decide(false, UNREACHABLE, null, List.of(), List.of(), true);
        assertThat(d.sign().reason()).isEqualTo(Reason.REGISTRY_CHECK_FAILED);
        assertThat(d.build()).isNull();
    }

    @Test
    void thePlanAndTheStatusShowTheSigning() {
        Module m = module(true);
        m.getMetadata().setGeneration(1L);
        SelectedNodes nodes = SelectedNodes.of(List.of(io.kmm.TestModules.node("n1", KERNEL, Map.of())));
        Observed observed = new Observed(m, nodes, Map.of(), List.of(state(BUILD, BuildPhase.SUCCEEDED)));
        var resolution = ModulePlanner.resolve(m, nodes);
        SignDecision.Facts facts = new SignDecision.Facts(null, null, new BuildDecision.Facts(SIGNING,
                SIGNING.objectName(), false, ABSENT, List.of()), new BuildDecision.Facts(BUILD, BUILD.objectName(),
                        false, PRESENT, List.of(state(BUILD, BuildPhase.SUCCEEDED))), null);
        ModulePlan plan = ModulePlanner.plan(observed, resolution, Map.of(), Map.of(KERNEL, facts),
                new ModulePlanner.Settings(Labels.KERNEL_VERSION, "Job", RETENTION, NOW));
        assertThat(plan.create()).as("no loader before the signed image exists").isEmpty();
        assertThat(plan.actions()).singleElement().isInstanceOf(Action.StartBuild.class);
        ModuleStatus status = ModuleStatusAggregator.aggregate(m, plan, new ModuleActions.Executed(Map.of(), Map.of()),
                NOW);
        var kernel = status.getKernels().get(0);
        assertThat(kernel.getPhase()).isEqualTo("Signing");
        assertThat(kernel.getBuild().getPhase()).isEqualTo("Succeeded");
        assertThat(kernel.getSign().getObject()).isEqualTo("Job " + SIGNING.objectName());
        assertThat(Conditions.find(status.getConditions(), Conditions.PROGRESSING).orElseThrow().getReason())
                .isEqualTo("Signing");

        // Signed: the loader runs the signed image, its pods carry the signing inputs.
        SignDecision.Facts signed = new SignDecision.Facts(null, null, new BuildDecision.Facts(SIGNING,
                SIGNING.objectName(), false, PRESENT, List.of()), null, null);
        ModulePlan ready = ModulePlanner.plan(new Observed(m, nodes, Map.of(), List.of()), resolution, Map.of(),
                Map.of(KERNEL, signed), new ModulePlanner.Settings(Labels.KERNEL_VERSION, "Job", RETENTION, NOW));
        assertThat(ready.create()).singleElement().satisfies(ds -> {
            assertThat(ds.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                    .isEqualTo("reg/mod:" + KERNEL);
            assertThat(ds.getSpec().getTemplate().getMetadata().getAnnotations())
                    .containsEntry(Labels.SIGN_INPUTS, SIGNING.inputsHash());
        });
    }
}
