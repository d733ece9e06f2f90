package io.kmm.it;

import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.KernelStatus;
import io.kmm.api.v1alpha1.Module;
import io.kmm.metrics.KmmMetrics;
import io.kmm.registry.ImageCheck;
import io.kmm.api.v1alpha1.RegistryOptions;
import io.kmm.meta.Labels;
import io.kmm.status.Conditions;
import io.kmm.registry.TestRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** In-cluster builds with Kaniko Jobs, against the mock API server and a real registry on 127.0.0.1. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class KanikoBuildTest extends ClusterTestBase {

    @Inject
    KmmMetrics metrics;

    static TestRegistry registry;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = TestRegistry.anonymous();
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        registry.close();
    }

    Module buildingModule(String ns, Map<String, String> pool, String repository) {
        Module m = module(ns, "mod", pool, regexp("-build$", registry.host() + "/" + repository
                + ":${KERNEL_FULL_VERSION}"));
        Build build = new Build();
        build.setDockerfile("FROM scratch\nARG KERNEL_FULL_VERSION\n");
        build.setPull(new RegistryOptions(true));
        m.getSpec().setBuild(build);
        return m;
    }

    List<Job> jobs(String ns) {
        return client.batch().v1().jobs().inNamespace(ns).withLabel(Labels.ROLE, Labels.ROLE_BUILD).list().getItems();
    }

    KernelStatus kernel(String ns) {
        Module m = cluster.module(ns, "mod");
        return m == null || m.getStatus() == null || m.getStatus().getKernels().isEmpty() ? null
                : m.getStatus().getKernels().get(0);
    }

    /** The kernel's build status; an AssertionError (retried by untilAsserted) until it is written. */
    io.kmm.api.v1alpha1.BuildStatus build(String ns) {
        KernelStatus kernel = kernel(ns);
        assertThat(kernel).as("status of kernel in " + ns).isNotNull();
        assertThat(kernel.getBuild()).as("build status in " + ns).isNotNull();
        return kernel.getBuild();
    }

    /** Plays the Job controller. */
    void finish(Job job, boolean succeeded) {
        String now = Instant.now().toString().substring(0, 19) + "Z";
        Job current = client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace())
                .withName(job.getMetadata().getName()).get();
        current.setStatus(succeeded
                ? new JobStatusBuilder().withSucceeded(1).withCompletionTime(now).addNewCondition().withType("Complete")
                        .withStatus("True").withLastTransitionTime(now).endCondition().build()
                : new JobStatusBuilder().withFailed(1).addNewCondition().withType("Failed").withStatus("True")
                        .withReason("BackoffLimitExceeded").withMessage("Job has reached the specified backoff limit")
                        .withLastTransitionTime(now).endCondition().build());
        client.resource(current).updateStatus();
    }

    @Test
    void missingImageIsBuiltThenLoaded() throws Exception {
        Map<String, String> pool = Map.of("pool", "kaniko");
        cluster.addNode("kaniko-1", "6.1.0-build", pool);
        cluster.apply(buildingModule("kaniko", pool, "vendor/built"));

        await().atMost(Cluster.TIMEOUT).until(() -> jobs("kaniko").size() == 1);
        Job job = jobs("kaniko").get(0);
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .contains("--destination=" + registry.host() + "/vendor/built:6.1.0-build",
                        "--build-arg=KERNEL_FULL_VERSION=6.1.0-build", "--insecure-pull");
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> {
            assertThat(build("kaniko").getPhase()).isEqualTo("Pending");
            assertThat(build("kaniko").getObject()).isEqualTo("Job " + job.getMetadata().getName());
        });
        Condition progressing = Conditions.find(cluster.module("kaniko", "mod").getStatus().getConditions(),
                Conditions.PROGRESSING).orElseThrow();
        assertThat(progressing.getStatus()).isEqualTo("True");
        assertThat(progressing.getReason()).isEqualTo("Building");
        assertThat(cluster.loaders("kaniko", "mod")).as("no loader before the image exists").isEmpty();

        // Kaniko pushes the image and the Job succeeds.
        registry.push("vendor/built", "6.1.0-build");
        finish(job, true);
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> assertThat(build("kaniko").getPhase())
                .isEqualTo("Succeeded"));
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders("kaniko", "mod").size() == 1);
        cluster.markAvailable(cluster.loaders("kaniko", "mod").get(0), 1);
        cluster.awaitCondition("kaniko", "mod", Conditions.READY, "True");
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> assertThat(cluster.events("kaniko", "mod"))
                .extracting(Event::getReason).contains("BuildCreated", "BuildSucceeded"));

        // The successful Job is deleted after the retention (5 s in tests); the loader stays and no build restarts.
        await().atMost(Cluster.TIMEOUT).until(() -> jobs("kaniko").isEmpty());
        await().atMost(Cluster.TIMEOUT).until(() -> kernel("kaniko") != null && kernel("kaniko").getBuild() == null);
        assertThat(cluster.loaders("kaniko", "mod")).hasSize(1);
        assertThat(cluster.condition("kaniko", "mod", Conditions.READY)).isEqualTo("True");
    }

    @Test
    void aRestartedOperatorAdoptsItsRunningBuild() throws Exception {
        // As after a restart: the Job the operator created earlier is already there when it meets the Module.
        Map<String, String> pool = Map.of("pool", "restart");
        Module m = buildingModule("restart", pool, "vendor/restart");
        m.getMetadata().setUid(null);
        Module created = cluster.apply(m);
        var kernel = (io.kmm.kernel.KernelResolution.Resolved) new io.kmm.kernel.KernelMapper("mod", "restart",
                created.getSpec()).resolve("6.5.0-build");
        String kaniko = io.quarkus.arc.Arc.container().instance(io.kmm.config.KmmConfig.class).get().build()
                .kanikoImage();
        var request = io.kmm.build.BuildRequest.of(created, kernel, kaniko);
        Job earlier = io.kmm.build.kaniko.KanikoJobs.desired(request, kaniko,
                new io.kmm.build.kaniko.KanikoJobs.JobLimits(0, java.time.Duration.ofHours(1),
                        java.util.Optional.empty()));
        client.resource(earlier).create();
        cluster.addNode("restart-1", "6.5.0-build", pool);

        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> assertThat(build("restart").getObject())
                .isEqualTo("Job " + earlier.getMetadata().getName()));
        Thread.sleep(1000);
        assertThat(jobs("restart")).extracting(j -> j.getMetadata().getName())
                .containsExactly(earlier.getMetadata().getName());
    }

    @Test
    void failedBuildIsReportedAndNotRetriedUntilInputsChange() throws Exception {
        Map<String, String> pool = Map.of("pool", "failing");
        double created = metrics.builds("created");
        double failed = metrics.builds("failed");
        cluster.addNode("failing-1", "6.2.0-build", pool);
        cluster.apply(buildingModule("failing", pool, "vendor/failing"));
        await().atMost(Cluster.TIMEOUT).until(() -> jobs("failing").size() == 1);
        Job first = jobs("failing").get(0);

        finish(first, false);
        cluster.awaitCondition("failing", "mod", Conditions.DEGRADED, "True");
        Condition degraded = Conditions.find(cluster.module("failing", "mod").getStatus().getConditions(),
                Conditions.DEGRADED).orElseThrow();
        assertThat(degraded.getReason()).isEqualTo("BuildFailed");
        assertThat(degraded.getMessage()).contains("Job " + first.getMetadata().getName())
                .contains("BackoffLimitExceeded");
        assertThat(build("failing").getPhase()).isEqualTo("Failed");
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> {
            assertThat(metrics.builds("created")).isGreaterThan(created);
            assertThat(metrics.builds("failed")).isGreaterThan(failed);
        });
        Thread.sleep(1500);
        assertThat(jobs("failing")).as("no automatic rebuild").extracting(j -> j.getMetadata().getName())
                .containsExactly(first.getMetadata().getName());

        // New inputs: the stale Job is replaced by a new one.
        client.resources(Module.class).inNamespace("failing").withName("mod").edit(m -> {
            m.getSpec().getBuild().setDockerfile("FROM scratch\nARG KERNEL_FULL_VERSION\nLABEL fixed=true\n");
            return m;
        });
        await().atMost(Cluster.TIMEOUT).until(() -> jobs("failing").size() == 1
                && !jobs("failing").get(0).getMetadata().getName().equals(first.getMetadata().getName()));
        cluster.awaitCondition("failing", "mod", Conditions.DEGRADED, "False");
    }

    @Test
    void existingImageNeedsNoBuild() throws Exception {
        Map<String, String> pool = Map.of("pool", "prebuilt");
        registry.push("vendor/prebuilt", "6.3.0-build");
        cluster.addNode("prebuilt-1", "6.3.0-build", pool);
        cluster.apply(buildingModule("prebuilt", pool, "vendor/prebuilt"));
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders("prebuilt", "mod").size() == 1);
        assertThat(jobs("prebuilt")).isEmpty();
    }

    @Test
    void unreachableRegistryIsReportedWithoutBuilding() throws Exception {
        Map<String, String> pool = Map.of("pool", "unreachable");
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Module m = module("unreachable", "mod", pool, regexp("-build$", "127.0.0.1:" + port + "/vendor/x:1"));
        Build build = new Build();
        build.setDockerfile("FROM scratch");
        build.setPull(new RegistryOptions(true));
        m.getSpec().setBuild(build);
        double unreachable = metrics.registryCheckFailures(ImageCheck.Outcome.UNREACHABLE);
        cluster.addNode("unreachable-1", "6.4.0-build", pool);
        cluster.apply(m);
        cluster.awaitCondition("unreachable", "mod", Conditions.DEGRADED, "True");
        Condition degraded = Conditions.find(cluster.module("unreachable", "mod").getStatus().getConditions(),
                Conditions.DEGRADED).orElseThrow();
        assertThat(degraded.getReason()).isEqualTo("RegistryCheckFailed");
        assertThat(degraded.getMessage()).contains("cannot be reached");
        assertThat(metrics.registryCheckFailures(ImageCheck.Outcome.UNREACHABLE)).isGreaterThan(unreachable);
        assertThat(jobs("unreachable")).isEmpty();
        assertThat(cluster.loaders("unreachable", "mod")).isEmpty();
    }
}
