package io.kmm.e2e;

import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.KernelStatus;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.RegistryOptions;
import io.kmm.status.Conditions;
import io.kmm.registry.TestRegistry;

/**
 * In-cluster builds on a real control plane: the Kaniko Job is admitted by the real API server, its pod scheduled and
 * completed under kwok, the Job marked Complete (or Failed) by the real Job controller; the image is in a real
 * registry on 127.0.0.1 afterwards (the test pushes it while the build pod runs, as Kaniko would), and then the
 * loader DaemonSet appears. A failed build is reported and not retried.
 */
class KanikoBuildIT {

    static {
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    private static final String NS = "e2e-builds";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static Scenario scenario;
    private static LocalCluster cluster;
    private static Kube kube;
    private static TestRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        registry = TestRegistry.anonymous();
        registry.push("warm-up/jib", "v1"); // the first push of a JVM is slow; the one in the test must not be
        scenario = Scenario.begin(KanikoBuildIT.class, NS);
        cluster = scenario.cluster;
        kube = scenario.kube;
        cluster.addNode("build-ok-1", "6.1.0-build", Map.of("pool", "build-ok"));
        cluster.addNode("build-broken-1", "6.1.0-build", Map.of("pool", "build-broken"));
        scenario.startOperator(Installation.QUICK_LEASE);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            scenario.finish("build-ok-1", "build-broken-1");
        } finally {
            registry.close();
        }
    }

    @Test
    void aMissingImageIsBuiltByAJobThenLoaded() throws Exception {
        cluster.admin().resource(building("built", "build-ok", "FROM scratch\nARG KERNEL_FULL_VERSION\n")).create();

        await().atMost(TIMEOUT).until(() -> jobs("built").size() == 1);
        Job job = jobs("built").get(0);
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .contains("--destination=" + registry.host() + "/vendor/built:6.1.0-build");
        // The build pod runs (scheduled by the real scheduler, running under kwok); Kaniko pushes before it exits.
        await().atMost(TIMEOUT).until(() -> kube.jobPodReady(job));
        assertThat(kube.loaders(NS, "built")).as("no loader before the image exists").isEmpty();
        registry.push("vendor/built", "6.1.0-build");

        await().atMost(TIMEOUT).until(() -> "True".equals(jobCondition(job, "Complete")));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(kube.loaders(NS, "built")).singleElement().satisfies(ds -> assertThat(
                    ds.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                    .isEqualTo(registry.host() + "/vendor/built:6.1.0-build"));
            assertThat(kernel("built").getBuild().getPhase()).isEqualTo("Succeeded");
        });
        await().atMost(TIMEOUT).until(() -> "True".equals(kube.conditionStatus(NS, "built", Conditions.READY)));
        assertThat(createdJobs("built")).as("one build").isEqualTo(1);
    }

    @Test
    void aFailedBuildIsReportedAndNotRetried() throws Exception {
        cluster.admin().resource(building("broken", "build-broken", "FROM scratch\nRUN false\n")).create();

        await().atMost(TIMEOUT).until(() -> jobs("broken").size() == 1);
        Job job = jobs("broken").get(0);
        await().atMost(TIMEOUT).until(() -> "True".equals(jobCondition(job, "Failed")));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(kube.condition(NS, "broken", Conditions.DEGRADED).orElseThrow().getReason())
                    .isEqualTo("BuildFailed");
            assertThat(kube.condition(NS, "broken", Conditions.DEGRADED).orElseThrow().getMessage())
                    .contains("Job " + job.getMetadata().getName(), "not retried");
        });
        Thread.sleep(10_000); // a retry loop would show up as new Jobs or new build pods now
        assertThat(jobs("broken")).hasSize(1);
        assertThat(createdJobs("broken")).as("no retry").isEqualTo(1);
        assertThat(kube.loaders(NS, "broken")).isEmpty();
    }

    private static Module building(String name, String pool, String dockerfile) {
        Module m = module(NS, name, Map.of("pool", pool),
                regexp("-build$", registry.host() + "/vendor/" + name + ":${KERNEL_FULL_VERSION}"));
        m.getMetadata().setUid(null);
        m.getMetadata().setGeneration(null);
        Build build = new Build();
        build.setDockerfile(dockerfile);
        build.setPull(new RegistryOptions(true));
        build.setPush(new RegistryOptions(true));
        m.getSpec().setBuild(build);
        return m;
    }

    private static List<Job> jobs(String module) {
        return kube.buildJobs(NS, module, "build");
    }

    private static String jobCondition(Job job, String type) {
        return kube.jobCondition(job, type);
    }

    private static KernelStatus kernel(String module) {
        return kube.module(NS, module).getStatus().getKernels().get(0);
    }

    /** Jobs the operator created for this Module, from the audit log. */
    private static long createdJobs(String module) throws Exception {
        return scenario.createdJobs(module + "-");
    }
}
