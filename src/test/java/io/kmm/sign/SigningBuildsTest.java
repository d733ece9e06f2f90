package io.kmm.sign;

import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.openshift.api.model.BuildConfig;
import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.RegistryOptions;
import io.kmm.api.v1alpha1.Sign;
import io.kmm.build.BuildRequest;
import io.kmm.build.BuildStep;
import io.kmm.build.kaniko.KanikoJobs;
import io.kmm.build.openshift.OpenShiftBuilds;
import io.kmm.kernel.KernelMapper;
import io.kmm.kernel.KernelResolution;
import io.kmm.meta.Labels;
import io.kmm.registry.InClusterRegistry;

/** The signing build: its request, Dockerfile, Kaniko Job and OpenShift BuildConfig, without a server. */
class SigningBuildsTest {

    static final String KERNEL = "6.1.0-13-amd64";
    static final SigningBuilds.Signer SIGNER = new SigningBuilds.Signer("reg.example.com/signer:1", "/usr/bin/sign-file");
    static final KanikoJobs.JobLimits LIMITS = new KanikoJobs.JobLimits(0, Duration.ofHours(1), Optional.empty());
    static final String FINGERPRINT = "f".repeat(64);

    static Module signed(String image, boolean build) {
        Module m = io.kmm.TestModules.module("drivers", "mod", Map.of(), regexp("amd64$", image));
        Sign sign = new Sign();
        sign.setKeySecret(new LocalObjectReference("signing-key"));
        sign.setCertSecret(new LocalObjectReference("signing-cert"));
        sign.setFilesToSign(List.of("/opt/lib/modules/${KERNEL_FULL_VERSION}/extra/*.ko"));
        if (build) {
            Build b = new Build();
            b.setDockerfile("FROM base\nRUN make");
            b.setPush(new RegistryOptions(true));
            m.getSpec().setBuild(b);
        } else {
            sign.setUnsignedImage("vendor.example.com/mod:${KERNEL_FULL_VERSION}");
        }
        m.getSpec().setSign(sign);
        m.getSpec().setImageRepoSecret(new LocalObjectReference("push-creds"));
        return m;
    }

    static KernelResolution.Resolved resolve(Module m) {
        return (KernelResolution.Resolved) new KernelMapper("mod", "drivers", m.getSpec()).resolve(KERNEL);
    }

    static BuildRequest request(Module m, String fingerprint, InClusterRegistry registry) {
        return SigningBuilds.request(m, resolve(m), fingerprint, SIGNER, "kaniko:pinned", registry);
    }

    @Test
    void theBuildPushesTheUnsignedImageAndTheSigningTheSignedOne() {
        Module m = signed("reg.example.com/mod:${KERNEL_FULL_VERSION}", true);
        KernelResolution.Resolved kernel = resolve(m);
        assertThat(kernel.sign().unsignedImage()).isEqualTo("reg.example.com/mod:" + KERNEL + "-unsigned");
        assertThat(BuildRequest.of(m, kernel, "kaniko:pinned").image()).isEqualTo(kernel.sign().unsignedImage());
        BuildRequest signing = request(m, FINGERPRINT, null);
        assertThat(signing.step()).isEqualTo(BuildStep.SIGN);
        assertThat(signing.image()).isEqualTo("reg.example.com/mod:" + KERNEL);
        assertThat(signing.objectName()).startsWith("mod-sign-6-1-0-13-amd64-").endsWith(signing.inputsHash());
        assertThat(signing.annotations()).containsEntry(Labels.BUILD_STEP_ANNOTATION, "sign")
                .containsEntry(Labels.KERNEL_VERSION_ANNOTATION, KERNEL);
        assertThat(signing.pullInsecure()).as("the build pushed it insecurely: pulled so too").isTrue();
        assertThat(signing.pushInsecure()).isTrue();
    }

    @Test
    void theDockerfileSignsACopyAndLabelsTheResult() {
        BuildRequest signing = request(signed("reg.example.com/mod:${KERNEL_FULL_VERSION}", false), FINGERPRINT, null);
        String dockerfile = signing.build().getDockerfile();
        assertThat(dockerfile).contains(
                "FROM vendor.example.com/mod:" + KERNEL + " AS unsigned\n",
                "FROM reg.example.com/signer:1 AS signer\n",
                "COPY --from=unsigned /opt /kmm-sign/opt\n",
                "'/usr/bin/sign-file' sha256 '/run/secrets/kmm-signing-key/key.pem' '/run/secrets/kmm-signing-cert/cert'",
                "kmm_sign '/kmm-sign/opt/lib/modules/" + KERNEL + "/extra/*.ko' '/opt/lib/modules/" + KERNEL
                        + "/extra/*.ko'",
                "FROM unsigned\nCOPY --from=signer /kmm-sign/opt /opt\n",
                "LABEL ooto.sigs.k8s.io/sign-inputs-hash=\"" + signing.inputsHash() + "\"\n");
        assertThat(dockerfile).doesNotContain(FINGERPRINT);
        assertThat(signing.buildArgs()).isEmpty();
    }

    @Test
    void aNewKeyOrCertificateMeansANewSigning() {
        Module m = signed("reg.example.com/mod:${KERNEL_FULL_VERSION}", false);
        BuildRequest before = request(m, FINGERPRINT, null);
        assertThat(request(m, FINGERPRINT, null).inputsHash()).isEqualTo(before.inputsHash());
        assertThat(request(m, "e".repeat(64), null).inputsHash()).isNotEqualTo(before.inputsHash());
        m.getSpec().getSign().setFilesToSign(List.of("/opt/lib/modules/${KERNEL_FULL_VERSION}/extra/other.ko"));
        assertThat(request(m, FINGERPRINT, null).inputsHash()).isNotEqualTo(before.inputsHash());
    }

    @Test
    void theKanikoJobMountsTheKeyForTheRunStepOnlyAndNeverPassesIt() {
        BuildRequest signing = request(signed("reg.example.com/mod:${KERNEL_FULL_VERSION}", false), FINGERPRINT, null);
        Job job = KanikoJobs.desired(signing, "kaniko:pinned", LIMITS);
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertThat(job.getMetadata().getAnnotations()).containsEntry(Labels.BUILD_STEP_ANNOTATION, "sign");
        assertThat(pod.getVolumes()).filteredOn(v -> v.getSecret() != null && v.getName().startsWith("kmm-signing"))
                .hasSize(2).allSatisfy(v -> assertThat(v.getSecret().getDefaultMode()).isEqualTo(0400))
                .anySatisfy(v -> {
                    assertThat(v.getSecret().getSecretName()).isEqualTo("signing-key");
                    assertThat(v.getSecret().getItems()).singleElement().satisfies(i -> {
                        assertThat(i.getKey()).isEqualTo("key");
                        assertThat(i.getPath()).isEqualTo("key.pem");
                    });
                })
                .anySatisfy(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("signing-cert"));
        assertThat(pod.getContainers().get(0).getVolumeMounts())
                .filteredOn(vm -> vm.getName().startsWith("kmm-signing")).hasSize(2)
                .allSatisfy(vm -> assertThat(vm.getReadOnly()).isTrue())
                .extracting(vm -> vm.getMountPath())
                .containsExactlyInAnyOrder("/run/secrets/kmm-signing-key", "/run/secrets/kmm-signing-cert");
        assertThat(pod.getContainers().get(0).getArgs()).contains("--destination=reg.example.com/mod:" + KERNEL)
                .noneMatch(a -> a.contains("signing-key") || a.contains("kmm-signing"));
        assertThat(pod.getContainers().get(0).getEnv()).isNullOrEmpty();
    }

    @Test
    void inTheInClusterRegistryTheUnsignedImageIsPulledAtTheServiceAddress() {
        InClusterRegistry registry = new InClusterRegistry("localhost:30500", "kmm-registry.kmm-registry.svc:5000",
                true);
        BuildRequest signing = request(signed("localhost:30500/drivers/mod:${KERNEL_FULL_VERSION}", true),
                FINGERPRINT, registry);
        assertThat(signing.build().getDockerfile()).contains("FROM kmm-registry.kmm-registry.svc:5000/drivers/mod:"
                + KERNEL + "-unsigned AS unsigned");
        assertThat(KanikoJobs.desired(signing, "kaniko:pinned", LIMITS, registry).getSpec().getTemplate().getSpec()
                .getContainers().get(0).getArgs()).contains(
                        "--destination=kmm-registry.kmm-registry.svc:5000/drivers/mod:" + KERNEL,
                        "--insecure-registry=kmm-registry.kmm-registry.svc:5000");
    }

    @Test
    void openShiftMountsTheKeyAsABuildVolume() {
        BuildRequest signing = request(signed("reg.example.com/mod:${KERNEL_FULL_VERSION}", false), FINGERPRINT, null);
        BuildConfig bc = OpenShiftBuilds.buildConfig(signing);
        var strategy = bc.getSpec().getStrategy().getDockerStrategy();
        assertThat(strategy.getVolumes()).hasSize(2).anySatisfy(v -> {
            assertThat(v.getSource().getType()).isEqualTo("Secret");
            assertThat(v.getSource().getSecret().getSecretName()).isEqualTo("signing-key");
            assertThat(v.getMounts()).singleElement().satisfies(mount -> assertThat(mount.getDestinationPath())
                    .isEqualTo("/run/secrets/kmm-signing-key"));
        });
        assertThat(bc.getSpec().getSource().getSecrets()).as("never copied into the build context").isEmpty();
        assertThat(bc.getSpec().getSource().getDockerfile()).contains("FROM vendor.example.com/mod:" + KERNEL);
        assertThat(bc.getSpec().getOutput().getTo().getName()).isEqualTo("reg.example.com/mod:" + KERNEL);
    }
}
