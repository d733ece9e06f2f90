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

/** kmm.build.strategy=openshift: a BuildConfig and a Build; Complete brings the loader. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(OpenShiftBuildTest.OpenShift.class)
class OpenShiftBuildTest extends ClusterTestBase {

    public static class OpenShift implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kmm.build.strategy", "openshift");
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
