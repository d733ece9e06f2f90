package io.kmm.preflight;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.PreflightModuleStatus;
import io.kmm.build.BuildState;
import io.kmm.kernel.KernelResolution;
import io.kmm.kernel.MappingValidation;
import io.kmm.module.Action;
import io.kmm.module.BuildDecision;
import io.kmm.module.ImageFacts;
import io.kmm.module.KernelPlan;
import io.kmm.module.ModulePlan;
import io.kmm.module.SignDecision;
import io.kmm.registry.ImageCheck;
import io.kmm.status.Reason;

/**
 * The verdict on one Module for each kernel of a preflight, from the Module reconcile's own plan for those kernels
 * (as if nodes ran them). Pure. Success: a node booting the kernel loads the module at once (its image exists, or it
 * was shown to build when nothing is pushed); Failure: it will not (no mapping, an invalid one, a missing image that
 * nothing builds, a failed build or signing); InProgress: a registry check or a build goes on.
 */
public final class PreflightVerdicts {

    /**
     * @param status what the preflight's status says about the Module and kernel
     * @param actions the builds to start and delete (nothing else of the plan is ever carried out)
     */
    public record Verdict(PreflightModuleStatus status, List<Action> actions) {

        public boolean inProgress() {
            return PreflightModuleStatus.IN_PROGRESS.equals(status.getVerdict());
        }
    }

    private PreflightVerdicts() {
    }

    /**
     * @param plan the Module's plan for the preflight's kernels
     * @param facts the image facts the plan was made from
     * @param plain for kernels whose image is neither built nor signed in the cluster: the registry's answer
     * @param push spec.pushBuiltImage
     * @param objectKind "Job" or "Build"
     */
    public static List<Verdict> of(Module module, List<String> kernels, ModulePlan plan, ImageFacts.Found facts,
            Map<String, ImageCheck> plain, boolean push, String objectKind) {
        List<Verdict> verdicts = new ArrayList<>();
        for (String kernel : kernels) {
            KernelPlan k = plan.kernels().stream().filter(p -> kernel.equals(p.kernel())).findFirst().orElse(null);
            verdicts.add(verdict(module, kernel, k, plan.validation(), facts, plain.get(kernel), push, objectKind));
        }
        return verdicts;
    }

    private static Verdict verdict(Module module, String kernel, KernelPlan k, MappingValidation.Result validation,
            ImageFacts.Found facts, ImageCheck plain, boolean push, String objectKind) {
        Result r = judge(kernel, k, validation, facts, plain, push, objectKind);
        List<Action> actions = new ArrayList<>();
        if (k != null) {
            for (BuildDecision d : new BuildDecision[] { k.build(), k.sign() }) {
                if (d != null) {
                    d.actions().stream().filter(a -> a instanceof Action.StartBuild || a instanceof Action.DeleteBuild)
                            .forEach(actions::add);
                }
            }
        }
        String image = k != null && k.resolution() instanceof KernelResolution.Resolved resolved ? resolved.image()
                : null;
        return new Verdict(new PreflightModuleStatus(module.getMetadata().getNamespace(),
                module.getMetadata().getName(), kernel, r.verdict, r.reason.toString(), r.message, image, r.build,
                module.getMetadata().getGeneration()), List.copyOf(actions));
    }

    private record Result(String verdict, Reason reason, String message, String build) {

        static Result success(Reason reason, String message, String build) {
            return new Result(PreflightModuleStatus.SUCCESS, reason, message, build);
        }

        static Result failure(Reason reason, String message, String build) {
            return new Result(PreflightModuleStatus.FAILURE, reason, message, build);
        }

        static Result inProgress(Reason reason, String message, String build) {
            return new Result(PreflightModuleStatus.IN_PROGRESS, reason, message, build);
        }
    }

    private static Result judge(String kernel, KernelPlan k, MappingValidation.Result validation,
            ImageFacts.Found facts, ImageCheck plain, boolean push, String objectKind) {
        if (k == null || validation.podsBlocked()) {
            // Nothing of the Module runs anywhere (a forbidden namespace, no loader, a forbidden volume).
            MappingValidation.Problem p = (validation.podProblems().isEmpty() ? validation.problems()
                    : validation.podProblems()).stream().findFirst().orElse(null);
            return p == null ? Result.failure(Reason.INVALID_MODULE, "the Module cannot be planned", null)
                    : Result.failure(p.reason(), p.field() + ": " + p.message(), null);
        }
        if (k.resolution() instanceof KernelResolution.Unmatched) {
            return Result.failure(Reason.NO_KERNEL_MAPPING, "no kernel mapping matches " + kernel + ": nodes that "
                    + "boot it get no loader, and the module is not loaded there", null);
        }
        if (k.resolution() instanceof KernelResolution.Invalid invalid) {
            return Result.failure(invalid.reason(), invalid.field() + ": " + invalid.message(), null);
        }
        KernelResolution.Resolved resolved = (KernelResolution.Resolved) k.resolution();
        if (resolved.sign() != null) {
            return signed(resolved, k, facts.signs().get(kernel), push, objectKind);
        }
        if (resolved.build() != null) {
            return built(facts.builds().get(kernel), k.build(), push, objectKind, false);
        }
        return plainImage(resolved.image(), plain);
    }

    private static Result plainImage(String image, ImageCheck check) {
        if (check == null || check.isFailure()) {
            return Result.inProgress(Reason.REGISTRY_CHECK_FAILED, check == null ? "asking the registry about "
                    + image : check.message() + " (asked again with backoff)", null);
        }
        if (check.isPresent()) {
            return Result.success(Reason.IMAGE_PRESENT, "image " + image + " exists", null);
        }
        return Result.failure(Reason.IMAGE_MISSING, check.message() + "; the kernel mapping has no build settings, so "
                + "nothing makes it: push it before nodes boot this kernel", null);
    }

    /** A kernel built in the cluster (or the build of a signed kernel's unsigned image). */
    private static Result built(BuildDecision.Facts facts, BuildDecision decision, boolean push, String objectKind,
            boolean signedLater) {
        String image = facts.request().image();
        if (facts.image() != null && facts.image().isPresent()) {
            return Result.success(Reason.IMAGE_PRESENT, "image " + image + " exists", current(facts));
        }
        if (facts.image() != null && facts.image().isFailure()) {
            return Result.inProgress(Reason.REGISTRY_CHECK_FAILED, facts.image().message()
                    + " (asked again with backoff)", null);
        }
        BuildState current = facts.builds().stream().filter(b -> facts.request().inputsHash().equals(b.inputsHash()))
                .findFirst().orElse(null);
        String object = objectKind + " " + (current == null ? facts.buildName() : current.name());
        String what = push ? "builds and pushes " + image : "builds " + image + " without pushing it";
        if (current == null) {
            return Result.inProgress(Reason.BUILDING, "image " + image + " is missing: " + object + " " + what,
                    facts.buildName());
        }
        return switch (current.phase()) {
            case PENDING, RUNNING -> Result.inProgress(Reason.BUILDING, object + " " + what + " ("
                    + current.phase().display() + ")", current.name());
            case FAILED -> Result.failure(Reason.BUILD_FAILED, decision != null && decision.error() != null
                    ? decision.error() : object + " failed", current.name());
            case SUCCEEDED -> push
                    ? Result.failure(Reason.BUILD_FAILED, decision != null && decision.error() != null
                            ? decision.error() : object + " succeeded but the image is still missing", current.name())
                    : Result.success(Reason.BUILD_VERIFIED, object + " built " + image + " without pushing it "
                            + "(spec.pushBuiltImage is false): nodes booting this kernel build it again first and "
                            + "their loader waits for that build" + (signedLater ? "; signing is checked only with "
                                    + "spec.pushBuiltImage (it starts from the pushed image)" : ""), current.name());
        };
    }

    private static Result signed(KernelResolution.Resolved resolved, KernelPlan k, SignDecision.Facts facts,
            boolean push, String objectKind) {
        if (facts == null) {
            return Result.inProgress(Reason.SIGNING, "reading the signing key and certificate", null);
        }
        if (facts.problem() != null) {
            return Result.failure(facts.problemReason(), facts.problem(), null);
        }
        BuildDecision.Facts sign = facts.sign();
        if (sign.image() != null && sign.image().isPresent()) {
            return Result.success(Reason.IMAGE_PRESENT, "image " + resolved.image() + " exists, signed with the "
                    + "current key and certificate", current(sign));
        }
        if (sign.image() != null && sign.image().isFailure()) {
            return Result.inProgress(Reason.REGISTRY_CHECK_FAILED, sign.image().message()
                    + " (asked again with backoff)", null);
        }
        if (facts.build() != null && (!push || k.build() != null && k.build().held())) {
            // The unsigned image is built first (without pushing, this is as far as a preflight goes).
            Result build = built(facts.build(), k.build(), push, objectKind, true);
            if (!push || !PreflightModuleStatus.SUCCESS.equals(build.verdict())) {
                return build;
            }
        }
        if (facts.build() == null && facts.unsigned() != null && !facts.unsigned().isPresent()) {
            BuildDecision blocked = k.sign();
            return facts.unsigned().isFailure()
                    ? Result.inProgress(Reason.REGISTRY_CHECK_FAILED, facts.unsigned().message(), null)
                    : Result.failure(Reason.UNSIGNED_IMAGE_MISSING, blocked != null && blocked.error() != null
                            ? blocked.error() : facts.unsigned().message(), null);
        }
        Result signing = built(sign, k.sign(), push, objectKind, false);
        // the signing's own words: signing, not building
        Reason reason = switch (signing.reason()) {
            case BUILDING -> Reason.SIGNING;
            case BUILD_FAILED -> Reason.SIGN_FAILED;
            default -> signing.reason();
        };
        return new Result(signing.verdict(), reason, signing.message(), signing.build());
    }

    private static String current(BuildDecision.Facts facts) {
        return facts.builds().stream().filter(b -> facts.request().inputsHash().equals(b.inputsHash()))
                .map(BuildState::name).findFirst().orElse(null);
    }
}
