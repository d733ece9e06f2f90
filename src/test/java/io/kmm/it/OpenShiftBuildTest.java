package io.kmm.it;

import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.openshift.api.model.Build;
import io.fabric8.openshift.api.model.BuildConfig;
import io.fabric8.openshift.api.model.BuildStatusBuilder;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.RegistryOptions;
import io.kmm.build.BuildStrategy;
import io.kmm.meta.Labels;
import io.kmm.status.Conditions;
import io.kmm.registry.TestRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * kmm.build.strategy=openshift: a BuildConfig and a Build; Complete brings the loader. Signing goes the same way, with
 * the key and certificate as build volumes.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(OpenShiftBuildTest.OpenShift.class)
class OpenShiftBuildTest extends ClusterTestBase {

    public static class OpenShift implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kmm.build.strategy", "openshift", "kmm.build.sign-image", "signer.example.com/sign:1");
        }
    }

    static TestRegistry registry;

    @jakarta.inject.Inject
    BuildStrategy strategy;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = TestRegistry.anonymous();
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        registry.close();
    }

    List<Build> builds() {
        return client.resources(Build.class).inNamespace("ocp").withLabel(Labels.ROLE, Labels.ROLE_BUILD).list()
                .getItems();
    }

    @Test
    void buildConfigAndBuildThenLoader() throws Exception {
        assertThat(strategy.objectKind()).isEqualTo("Build");
        assertThat(client.batch().v1().jobs().inAnyNamespace().list().getItems()).isEmpty();

        Map<String, String> pool = Map.of("pool", "ocp");
        cluster.addNode("ocp-1", "5.14.0-284.el9.x86_64", pool);
        Module m = module("ocp", "mod", pool, regexp("el9", registry.host() + "/vendor/ocp:${KERNEL_XYZ}"));
        io.kmm.api.v1alpha1.Build build = new io.kmm.api.v1alpha1.Build();
        build.setDockerfile("FROM scratch");
        build.setPull(new RegistryOptions(true));
        m.getSpec().setBuild(build);
        cluster.apply(m);

        await().atMost(Cluster.TIMEOUT).until(() -> builds().size() == 1);
        Build started = builds().get(0);
        BuildConfig bc = client.resources(BuildConfig.class).inNamespace("ocp")
                .withName(started.getMetadata().getLabels().get("openshift.io/build-config.name")).get();
        assertThat(bc.getSpec().getStrategy().getDockerStrategy()).isNotNull();
        assertThat(bc.getSpec().getOutput().getTo().getName()).isEqualTo(registry.host() + "/vendor/ocp:5.14.0");
        await().atMost(Cluster.TIMEOUT).ignoreExceptions().untilAsserted(() -> assertThat(cluster.module("ocp",
                "mod").getStatus().getKernels().get(0).getBuild().getObject())
                        .isEqualTo("Build " + started.getMetadata().getName()));

        // The OpenShift build controller pushes and completes the Build.
        registry.push("vendor/ocp", "5.14.0");
        started.setStatus(new BuildStatusBuilder().withPhase("Complete").build());
        client.resource(started).updateStatus();
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders("ocp", "mod").size() == 1);
        await().atMost(Cluster.TIMEOUT).ignoreExceptions().until(() -> "Succeeded".equals(cluster.module("ocp",
                "mod").getStatus().getKernels().get(0).getBuild().getPhase()));
        cluster.markAvailable(cluster.loaders("ocp", "mod").get(0), 1);
        cluster.awaitCondition("ocp", "mod", Conditions.READY, "True");
    }

    @Test
    void aVendorImageIsSignedByABuildWithTheKeyAsABuildVolume() throws Exception {
        io.kmm.sign.TestKeys keys = io.kmm.sign.TestKeys.generate("kmm openshift test");
        client.secrets().inNamespace("ocp-sign").resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata().withName("signing").endMetadata()
                .addToData("key", java.util.Base64.getEncoder().encodeToString(keys.keyBytes()))
                .addToData("cert", java.util.Base64.getEncoder().encodeToString(keys.certDerBytes())).build())
                .create();
        registry.push("vendor/unsigned", "5.14.0");
        Map<String, String> pool = Map.of("pool", "ocp-sign");
        cluster.addNode("ocp-sign-1", "5.14.0-284.el9.x86_64", pool);
        Module m = module("ocp-sign", "signed", pool, regexp("el9", registry.host() + "/vendor/signed:${KERNEL_XYZ}"));
        io.kmm.api.v1alpha1.Sign sign = new io.kmm.api.v1alpha1.Sign();
        sign.setUnsignedImage(registry.host() + "/vendor/unsigned:${KERNEL_XYZ}");
        sign.setKeySecret(new io.fabric8.kubernetes.api.model.LocalObjectReference("signing"));
        sign.setCertSecret(new io.fabric8.kubernetes.api.model.LocalObjectReference("signing"));
        sign.setFilesToSign(List.of("/opt/lib/modules/${KERNEL_FULL_VERSION}/extra/*.ko"));
        sign.setPull(new RegistryOptions(true));
        sign.setPush(new RegistryOptions(true));
        m.getSpec().setSign(sign);
        cluster.apply(m);

        await().atMost(Cluster.TIMEOUT).until(() -> client.resources(Build.class).inNamespace("ocp-sign").list()
                .getItems().size() == 1);
        Build started = client.resources(Build.class).inNamespace("ocp-sign").list().getItems().get(0);
        assertThat(started.getMetadata().getAnnotations()).containsEntry(Labels.BUILD_STEP_ANNOTATION, "sign");
        var strategy = started.getSpec().getStrategy().getDockerStrategy();
        assertThat(strategy.getVolumes()).extracting(v -> v.getMounts().get(0).getDestinationPath())
                .containsExactlyInAnyOrder("/run/secrets/kmm-signing-key", "/run/secrets/kmm-signing-cert");
        assertThat(started.getSpec().getSource().getDockerfile())
                .contains("FROM " + registry.host() + "/vendor/unsigned:5.14.0 AS unsigned");
        assertThat(started.getSpec().getOutput().getTo().getName()).isEqualTo(registry.host() + "/vendor/signed:5.14.0");
        await().atMost(Cluster.TIMEOUT).ignoreExceptions().untilAsserted(() -> assertThat(cluster.module("ocp-sign",
                "signed").getStatus().getKernels().get(0).getPhase()).isEqualTo("Signing"));

        // The OpenShift build controller pushes the signed image (with the Dockerfile's label) and completes.
        String hash = started.getMetadata().getAnnotations().get(Labels.BUILD_INPUTS_ANNOTATION);
        registry.push("vendor/signed", "5.14.0", Map.of(Labels.SIGN_INPUTS, hash));
        started.setStatus(new BuildStatusBuilder().withPhase("Complete").build());
        client.resource(started).updateStatus();
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders("ocp-sign", "signed").size() == 1);
        assertThat(cluster.loaders("ocp-sign", "signed").get(0).getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(Labels.SIGN_INPUTS, hash);
    }

    @Test
    void phasesMapToKmmPhases() {
        assertThat(phase("New")).isEqualTo("PENDING");
        assertThat(phase("Running")).isEqualTo("RUNNING");
        assertThat(phase("Complete")).isEqualTo("SUCCEEDED");
        assertThat(phase("Error")).isEqualTo("FAILED");
        assertThat(phase("Cancelled")).isEqualTo("FAILED");
    }

    static String phase(String openshift) {
        Build b = new io.fabric8.openshift.api.model.BuildBuilder().withNewMetadata().withName("b").endMetadata()
                .withNewStatus().withPhase(openshift).endStatus().build();
        return io.kmm.build.openshift.OpenShiftBuildStrategy.phaseOf(b).name();
    }
}
