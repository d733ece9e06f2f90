package io.kmm.module;

import java.time.Duration;
import java.time.Instant;

import io.kmm.registry.ImageCheck;
import io.kmm.status.Reason;

/**
 * What secure-boot signing means for one kernel, in order: the signed image is there (signed with the current
 * inputs) → nothing to do; else the unsigned image first (built by the kernel's build, or given), then the signing
 * build. Pure: the build and the signing are each decided by {@link BuildDecision#decide}.
 */
public final class SignDecision {

    private SignDecision() {
    }

    /**
     * What is known about one signed kernel.
     *
     * @param problemReason with {@code problem}: why signing cannot start (the key Secret, the operator's settings)
     * @param problem what the user must fix, or null
     * @param sign the signing build: its request, whether the loader runs the signed image (with these inputs), the
     *        registry's answer about the signed image ({@link ImageCheck.Outcome#PRESENT} only when it carries the
     *        current inputs), and the kernel's signing build objects; null with a problem
     * @param build the build of the unsigned image, or null when the kernel has none
     * @param unsigned without a build: the registry's answer about the unsigned image, when it was asked
     */
    public record Facts(Reason problemReason, String problem, BuildDecision.Facts sign, BuildDecision.Facts build,
            ImageCheck unsigned) {

        public static Facts blocked(Reason reason, String problem) {
            return new Facts(reason, problem, null, null, null);
        }
    }

    /** The two decisions of a signed kernel: the build's (null without one) and the signing's. */
    public record Decided(BuildDecision build, BuildDecision sign) {

        boolean held() {
            return (build != null && build.held()) || sign.held();
        }
    }

    public static Decided decide(Facts facts, String objectKind, Instant now, Duration retention) {
        if (facts.problem() != null) {
            return new Decided(null, BuildDecision.blocked(facts.problemReason(), facts.problem()));
        }
        BuildDecision.Facts sign = facts.sign();
        BuildDecision.Facts build = facts.build();
        if (sign.loaderRunsImage() || sign.image().isPresent()) {
            // Signed with the current inputs: only clean-up is left, of the signing and of the build.
            return new Decided(build == null ? null : BuildDecision.decide(new BuildDecision.Facts(build.request(),
                    build.buildName(), true, null, build.builds()), objectKind, now, retention),
                    BuildDecision.decide(sign, objectKind, now, retention));
        }
        if (sign.image().isFailure()) {
            return new Decided(null, BuildDecision.decide(sign, objectKind, now, retention));
        }
        if (build != null) {
            BuildDecision built = BuildDecision.decide(build, objectKind, now, retention);
            return new Decided(built, built.held() ? BuildDecision.waiting()
                    : BuildDecision.decide(sign, objectKind, now, retention));
        }
        ImageCheck unsigned = facts.unsigned();
        if (unsigned.isFailure()) {
            return new Decided(null, BuildDecision.blocked(Reason.REGISTRY_CHECK_FAILED, unsigned.message()));
        }
        if (!unsigned.isPresent()) {
            return new Decided(null, BuildDecision.blocked(Reason.UNSIGNED_IMAGE_MISSING, "nothing to sign for "
                    + sign.request().image() + ": " + unsigned.message() + " (sign.unsignedImage; with no build, KMM "
                    + "does not make it)"));
        }
        return new Decided(null, BuildDecision.decide(sign, objectKind, now, retention));
    }

    /**
     * The registry's answer about a signed image, judged by its label: present only when it was signed with these
     * inputs; an image signed with others (a new key or certificate, other files) counts as absent.
     */
    public static ImageCheck signedWith(ImageCheck check, String image, String inputsHash) {
        if (!check.isPresent()) {
            return check;
        }
        String label = check.labels() == null ? null : check.labels().get(io.kmm.meta.Labels.SIGN_INPUTS);
        if (inputsHash.equals(label)) {
            return check;
        }
        return new ImageCheck(ImageCheck.Outcome.ABSENT, "image " + image + (label == null
                ? " exists but was not signed by KMM (it has no " + io.kmm.meta.Labels.SIGN_INPUTS + " label)"
                : " was signed with other inputs (a new key or certificate, other files or images)"), check.labels());
    }
}
