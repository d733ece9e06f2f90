package io.kmm.e2e;

import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.KernelStatus;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.RegistryOptions;
import io.kmm.api.v1alpha1.Sign;
import io.kmm.meta.Labels;
import io.kmm.registry.TestRegistry;
import io.kmm.sign.TestKeys;
import io.kmm.status.Conditions;

/**
 * Secure-boot signing on a real control plane: a build Job makes the unsigned image, then a signing Job (admitted by
 * the real API server, its pod run under kwok, Complete by the real Job controller) with the key and certificate
 * Secrets mounted; the images are in a real registry on 127.0.0.1 (pushed by the test while the build pods run, as
 * Kaniko would, the signed one with its signing label); the loader runs the signed image. New key content signs again
 * without building again. A missing key Secret is reported and starts nothing. Neither key nor certificate content
 * appears in Jobs, events or status.
 */
class SigningIT {

    static {
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    private static final String NS = "e2e-signing";
    private static final String KERNEL = "6.1.0-signing";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static Scenario scenario;
    private static LocalCluster cluster;
    private static Kube kube;
    private static TestRegistry registry;
    private static TestKeys keys;
    private static TestKeys rotated;

    @BeforeAll
    static void start() throws Exception {
        registry = TestRegistry.anonymous();
        registry.push("warm-up/jib", "v1"); // the first push of a JVM is slow; the ones in the test must not be
        keys = TestKeys.generate("kmm e2e signing key");
        rotated = TestKeys.generate("kmm e2e signing key 2");
        scenario = Scenario.begin(SigningIT.class, NS);
        cluster = scenario.cluster;
        kube = scenario.kube;
        cluster.addNode("signing-1", KERNEL, Map.of("pool", "signing"));
        cluster.addNode("signing-nokey-1", KERNEL, Map.of("pool", "signing-nokey"));
        secrets(keys);
        Map<String, String> properties = new LinkedHashMap<>(Installation.QUICK_LEASE);
        properties.put("kmm.build.sign-image", registry.host() + "/kmm/sign:1");
        properties.put("kmm.build.signing-key-recheck", "2s");
        scenario.startOperator(properties);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            scenario.finish("signing-1", "signing-nokey-1");
        } finally {
            registry.close();
        }
    }

    /** The key and certificate Secrets, as docs/builds.md creates them (kubectl create secret generic). */
    private static void secrets(TestKeys k) throws Exception {
        for (String[] s : new String[][] { { "signing-key", "key", k.key().toString() },
                { "signing-cert", "cert", k.certDer().toString() } }) {
            String yaml = cluster.kubectlOk("-n", NS, "create", "secret", "generic", s[0], "--from-file=" + s[1] + "="
                    + s[2], "--dry-run=client", "-o", "yaml");
            cluster.kubectlWithInput(yaml, "apply", "-f", "-");
        }
    }

    @Test
    void aBuiltImageIsSignedThenLoadedAndSignedAgainWithANewKey() throws Exception {
        Module m = signing("signed", "signing", "signing-key");
        Build build = new Build();
        build.setDockerfile("FROM scratch\nARG KERNEL_FULL_VERSION\n");
        build.setPull(new RegistryOptions(true));
        build.setPush(new RegistryOptions(true));
        m.getSpec().setBuild(build);
        cluster.admin().resource(m).create();
        String image = registry.host() + "/e2e/signed:" + KERNEL;

        // 1. The unsigned image is built.
        await().atMost(TIMEOUT).until(() -> jobs("signed", "build").size() == 1);
        Job buildJob = jobs("signed", "build").get(0);
        assertThat(buildJob.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .contains("--destination=" + image + "-unsigned");
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(kernel("signed").getPhase()).isEqualTo("Building"));
        awaitPodReady(buildJob);
        registry.push("e2e/signed", KERNEL + "-unsigned");
        awaitComplete(buildJob);

        // 2. Then signed, by a Job that mounts the Secrets and says nothing of them.
        await().atMost(TIMEOUT).until(() -> jobs("signed", "sign").size() == 1);
        Job signJob = jobs("signed", "sign").get(0);
        String hash = signJob.getMetadata().getAnnotations().get(Labels.BUILD_INPUTS_ANNOTATION);
        assertThat(signJob.getMetadata().getName()).startsWith("signed-sign-");
        String dockerfile = signJob.getSpec().getTemplate().getMetadata().getAnnotations()
                .get(Labels.DOCKERFILE_ANNOTATION);
        assertThat(dockerfile).contains("FROM " + image + "-unsigned AS unsigned",
                "FROM " + registry.host() + "/kmm/sign:1 AS signer",
                "LABEL " + Labels.SIGN_INPUTS + "=\"" + hash + "\"");
        List<Volume> volumes = signJob.getSpec().getTemplate().getSpec().getVolumes();
        assertThat(volumes).filteredOn(v -> v.getSecret() != null).extracting(v -> v.getSecret().getSecretName())
                .contains("signing-key", "signing-cert");
        assertThat(signJob.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .contains("--destination=" + image);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(kernel("signed").getPhase()).isEqualTo("Signing");
            assertThat(kernel("signed").getSign().getObject()).isEqualTo("Job " + signJob.getMetadata().getName());
            assertThat(kube.condition(NS, "signed", Conditions.PROGRESSING).orElseThrow().getReason())
                    .isEqualTo("Signing");
        });
        assertThat(kube.loaders(NS, "signed")).as("no loader before the signed image exists").isEmpty();
        awaitPodReady(signJob);
        registry.push("e2e/signed", KERNEL, Map.of(Labels.SIGN_INPUTS, hash));
        awaitComplete(signJob);

        // 3. The loader runs the signed image.
        await().atMost(TIMEOUT).until(() -> "True".equals(kube.conditionStatus(NS, "signed", Conditions.READY)));
        assertThat(kube.loaders(NS, "signed")).singleElement().satisfies(ds -> {
            assertThat(ds.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo(image);
            assertThat(ds.getSpec().getTemplate().getMetadata().getAnnotations())
                    .containsEntry(Labels.SIGN_INPUTS, hash);
        });
        assertThat(kernel("signed").getPhase()).isEqualTo("Ready");
        assertThat(kernel("signed").getSign().getPhase()).isEqualTo("Succeeded");

        // 4. New key and certificate content, same Secret names: signed again (not built again), loaders follow.
        secrets(rotated);
        // The earlier signing Job is deleted (its inputs are stale) when the new one starts.
        await().atMost(TIMEOUT).until(() -> jobs("signed", "sign").stream().anyMatch(j -> !j.getMetadata().getName()
                .equals(signJob.getMetadata().getName())));
        Job resign = jobs("signed", "sign").stream().filter(j -> !j.getMetadata().getName()
                .equals(signJob.getMetadata().getName())).findFirst().orElseThrow();
        String newHash = resign.getMetadata().getAnnotations().get(Labels.BUILD_INPUTS_ANNOTATION);
        assertThat(newHash).isNotEqualTo(hash);
        awaitPodReady(resign);
        registry.push("e2e/signed", KERNEL, Map.of(Labels.SIGN_INPUTS, newHash));
        awaitComplete(resign);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(kube.loaders(NS, "signed")).singleElement()
                .satisfies(ds -> assertThat(ds.getSpec().getTemplate().getMetadata().getAnnotations())
                        .containsEntry(Labels.SIGN_INPUTS, newHash)));
        assertThat(createdJobs("signed-6")).as("one build").isEqualTo(1);
        assertThat(createdJobs("signed-sign-")).as("two signings").isEqualTo(2);

        // Neither key nor certificate content anywhere the operator writes.
        String everything = Serialization.asJson(cluster.admin().batch().v1().jobs().inNamespace(NS).list())
                + Serialization.asJson(cluster.admin().v1().events().inNamespace(NS).list())
                + Serialization.asJson(kube.module(NS, "signed")) + scenario.operator().output();
        for (TestKeys k : List.of(keys, rotated)) {
            String keyBody = Files.readAllLines(k.key()).get(1);
            assertThat(everything).doesNotContain(keyBody)
                    .doesNotContain(Base64.getEncoder().encodeToString(k.keyBytes()).substring(0, 40))
                    .doesNotContain(Base64.getEncoder().encodeToString(k.certDerBytes()).substring(0, 40));
        }
    }

    @Test
    void aMissingKeySecretIsReportedAndStartsNothing() throws Exception {
        Module nokey = signing("nokey", "signing-nokey", "no-such-key");
        nokey.getSpec().getSign().setUnsignedImage(registry.host() + "/vendor/nokey:${KERNEL_FULL_VERSION}");
        cluster.admin().resource(nokey).create();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            var degraded = kube.condition(NS, "nokey", Conditions.DEGRADED).orElseThrow();
            assertThat(degraded.getReason()).isEqualTo("SigningKeyInvalid");
            assertThat(degraded.getMessage()).contains("Secret " + NS + "/no-such-key (sign.keySecret) does not exist");
        });
        // A Secret that is there but holds no key.
        cluster.admin().secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata()
                .withName("no-such-key").endMetadata().addToStringData("key", "not a key").build()).create();
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(kube.condition(NS, "nokey", Conditions.DEGRADED)
                .orElseThrow().getMessage()).contains("the 'key' entry of Secret " + NS
                        + "/no-such-key (sign.keySecret) is not a PEM private key"));
        assertThat(kernel("nokey").getPhase()).isEqualTo("Failed");
        assertThat(jobs("nokey", "build")).isEmpty();
        assertThat(jobs("nokey", "sign")).isEmpty();
        assertThat(createdJobs("nokey-")).isZero();
        assertThat(kube.loaders(NS, "nokey")).isEmpty();
    }

    private static Module signing(String name, String pool, String keySecret) {
        Module m = module(NS, name, Map.of("pool", pool),
                regexp("-signing$", registry.host() + "/e2e/" + name + ":${KERNEL_FULL_VERSION}"));
        m.getMetadata().setUid(null);
        m.getMetadata().setGeneration(null);
        Sign sign = new Sign();
        sign.setKeySecret(new LocalObjectReference(keySecret));
        sign.setCertSecret(new LocalObjectReference("signing-cert"));
        sign.setFilesToSign(List.of("/opt/lib/modules/${KERNEL_FULL_VERSION}/extra/*.ko"));
        m.getSpec().setSign(sign);
        return m;
    }

    private static List<Job> jobs(String module, String step) {
        return kube.buildJobs(NS, module, step);
    }

    private static void awaitPodReady(Job job) {
        await().atMost(TIMEOUT).until(() -> kube.jobPodReady(job));
    }

    private static void awaitComplete(Job job) {
        await().atMost(TIMEOUT).until(() -> "True".equals(kube.jobCondition(job, "Complete")));
    }

    private static KernelStatus kernel(String module) {
        return kube.module(NS, module).getStatus().getKernels().get(0);
    }

    private static long createdJobs(String prefix) throws Exception {
        return scenario.createdJobs(prefix);
    }

}
