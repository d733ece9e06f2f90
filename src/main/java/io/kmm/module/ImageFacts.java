package io.kmm.module;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Module;
import io.kmm.build.BuildPhase;
import io.kmm.build.BuildRequest;
import io.kmm.build.BuildState;
import io.kmm.build.BuildStep;
import io.kmm.build.BuildStrategy;
import io.kmm.config.KmmConfig;
import io.kmm.kernel.KernelResolution;
import io.kmm.meta.Labels;
import io.kmm.meta.Names;
import io.kmm.registry.ImageCheck;
import io.kmm.registry.ImageChecks;
import io.kmm.registry.InClusterRegistry;
import io.kmm.sign.SigningBuilds;
import io.kmm.sign.SigningSecrets;
import io.kmm.status.Reason;

/**
 * The observe step's outside facts about each kernel's image, between resolve and decide: for kernels built in the
 * cluster, the build request and what the registry says about its image; for signed kernels, the signing inputs
 * (key and certificate read and fingerprinted) and what the registry says about the signed and unsigned images.
 * Used by the Module reconcile for the kernels its nodes run and by the preflight for kernels no node runs yet: one
 * path from a kernel to its image facts. The registry is asked only as far as needed (not at all for a kernel whose
 * loader already runs the image); answers are cached for {@code kmm.registry.cache-ttl}, and asked again, uncached,
 * once a build for the same inputs has succeeded.
 */
@ApplicationScoped
public class ImageFacts {

    /**
     * @param builds per kernel built in the cluster and not signed
     * @param signs per kernel whose image is signed
     */
    public record Found(Map<String, BuildDecision.Facts> builds, Map<String, SignDecision.Facts> signs) {
    }

    @Inject
    KmmConfig config;

    @Inject
    BuildStrategy strategy;

    @Inject
    ImageChecks images;

    @Inject
    SigningSecrets signingSecrets;

    /**
     * @param daemonSets the Module's DaemonSets by name (none for a preflight)
     * @param builds the build objects that count for these kernels (the Module's, or the preflight's)
     * @param as what a build request becomes (the Module's own, or a preflight's)
     */
    public Found of(Module module, ModulePlanner.Resolution resolution, Map<String, DaemonSet> daemonSets,
            List<BuildState> builds, UnaryOperator<BuildRequest> as) {
        Map<String, BuildDecision.Facts> built = new LinkedHashMap<>();
        Map<String, SignDecision.Facts> signed = new LinkedHashMap<>();
        Map<String, SigningSecrets.Keys> keys = new LinkedHashMap<>();
        for (KernelResolution r : resolution.kernels().values()) {
            if (!(r instanceof KernelResolution.Resolved kernel)) {
                continue;
            }
            List<BuildState> ofKernel = builds.stream().filter(b -> kernel.kernel().equals(b.kernel())).toList();
            DaemonSet loader = daemonSets.get(Names.loaderDaemonSet(module.getMetadata().getName(), kernel.kernel()));
            if (kernel.sign() != null) {
                signed.put(kernel.kernel(), signFacts(module, kernel, loader, ofKernel, keys, as));
            } else if (kernel.build() != null) {
                BuildRequest request = as.apply(BuildRequest.of(module, kernel, strategy.builderInputs()));
                boolean running = loaderRuns(loader, kernel.image());
                ImageCheck check = running ? null
                        : ask(request, request.pullInsecure(), false, ofKernel, UnaryOperator.identity());
                built.put(kernel.kernel(), new BuildDecision.Facts(request, strategy.buildName(request), running,
                        check, ofKernel));
            }
        }
        return new Found(built, signed);
    }

    private SignDecision.Facts signFacts(Module module, KernelResolution.Resolved kernel, DaemonSet loader,
            List<BuildState> ofKernel, Map<String, SigningSecrets.Keys> keysBySecrets, UnaryOperator<BuildRequest> as) {
        KernelResolution.ResolvedSign sign = kernel.sign();
        String namespace = module.getMetadata().getNamespace();
        Optional<String> signImage = config.build().signImage().filter(image -> !image.isBlank());
        if (signImage.isEmpty()) {
            return SignDecision.Facts.blocked(Reason.SIGNING_NOT_CONFIGURED, "signing needs an image with sign-file: "
                    + "the operator's kmm.build.sign-image (RELATED_IMAGE_SIGN) is not set (see docs/builds.md#signing)");
        }
        SigningSecrets.Keys keys = keysBySecrets.computeIfAbsent(sign.keySecret() + "/" + sign.certSecret(),
                k -> signingSecrets.read(namespace, sign.keySecret(), sign.certSecret()));
        if (keys.problem() != null) {
            return SignDecision.Facts.blocked(Reason.SIGNING_KEY_INVALID, keys.problem());
        }
        BuildRequest signing = as.apply(SigningBuilds.request(module, kernel, keys.fingerprint(),
                new SigningBuilds.Signer(signImage.get(), config.build().signFile()), strategy.builderInputs(),
                InClusterRegistry.of(config.registry().inCluster())));
        List<BuildState> signs = ofKernel.stream().filter(b -> b.step() == BuildStep.SIGN).toList();
        List<BuildState> builds = ofKernel.stream().filter(b -> b.step() == BuildStep.BUILD).toList();
        boolean running = loaderRuns(loader, kernel.image()) && loader.getSpec().getTemplate().getMetadata()
                .getAnnotations() != null && signing.inputsHash().equals(loader.getSpec().getTemplate()
                        .getMetadata().getAnnotations().get(Labels.SIGN_INPUTS));
        // Signed with other inputs counts as absent, also when asking again after the signing succeeded.
        ImageCheck signed = running ? null : ask(signing, sign.pushInsecure(), true, signs,
                check -> SignDecision.signedWith(check, kernel.image(), signing.inputsHash()));
        BuildDecision.Facts signFacts = new BuildDecision.Facts(signing, strategy.buildName(signing), running, signed,
                signs);
        boolean ready = running || signed.isPresent() || signed.isFailure();
        BuildDecision.Facts buildFacts = null;
        ImageCheck unsigned = null;
        if (kernel.build() != null) {
            BuildRequest request = as.apply(BuildRequest.of(module, kernel, strategy.builderInputs()));
            ImageCheck check = ready ? null
                    : ask(request, sign.pullInsecure(), false, builds, UnaryOperator.identity());
            buildFacts = new BuildDecision.Facts(request, strategy.buildName(request), ready, check, builds);
        } else if (!ready) {
            unsigned = images.check(namespace, sign.unsignedImage(), signing.pushSecret(), sign.pullInsecure());
        }
        return new SignDecision.Facts(null, null, signFacts, buildFacts, unsigned);
    }

    /**
     * The registry's answer about a request's image (cached), judged; asked again, uncached, when it is not there
     * although a build object for these inputs succeeded: the build pushed it, an older "absent" must not count.
     */
    private ImageCheck ask(BuildRequest request, boolean insecure, boolean labels, List<BuildState> builds,
            UnaryOperator<ImageCheck> judge) {
        ImageCheck check = judge.apply(images.check(request.namespace(), request.image(), request.pushSecret(),
                insecure, labels));
        if (!check.isPresent() && request.push() && succeeded(builds, request)) {
            images.forget(request.image());
            check = judge.apply(images.check(request.namespace(), request.image(), request.pushSecret(), insecure,
                    labels));
        }
        return check;
    }

    /** The kernel's loader DaemonSet runs the image already: the registry need not be asked. */
    private static boolean loaderRuns(DaemonSet loader, String image) {
        return loader != null && loader.getSpec().getTemplate().getSpec().getContainers().stream()
                .anyMatch(c -> image.equals(c.getImage()));
    }

    private static boolean succeeded(List<BuildState> builds, BuildRequest request) {
        return builds.stream().anyMatch(b -> request.inputsHash().equals(b.inputsHash())
                && b.phase() == BuildPhase.SUCCEEDED);
    }
}
