package io.kmm.e2e;

import static io.kmm.TestModules.literal;
import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.PreflightModuleStatus;
import io.kmm.api.v1alpha1.PreflightValidation;
import io.kmm.api.v1alpha1.PreflightValidationSpec;
import io.kmm.api.v1alpha1.RegistryOptions;
import io.kmm.meta.Labels;
import io.kmm.registry.TestRegistry;

/**
 * A PreflightValidation on the real control plane, for a kernel no node runs: a Module whose image is missing is
 * built ahead of time by the preflight's own Job (admitted by the real API server, its pod run under kwok and
 * completed by the real Job controller: kwok simulates the build, the test pushes the image to a real registry on
 * 127.0.0.1 as Kaniko would), a Module without a mapping for the kernel fails, one whose build fails fails; nothing
 * else is made (no loader, no label); deleting the PreflightValidation lets the real garbage collector remove its
 * builds. The audit log shows the operator needed no more than its roles.
 */
class PreflightIT {

    static {
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    private static final String NS = "e2e-preflight";
    private static final String KERNEL = "6.2.0-next";
    private static final String PREFLIGHT = "e2e-next-os";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static Scenario scenario;
    private static LocalCluster cluster;
    private static Kube kube;
    private static TestRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        registry = TestRegistry.anonymous();
        registry.push("warm-up/jib", "v1");
        scenario = Scenario.begin(PreflightIT.class, NS);
        cluster = scenario.cluster;
        kube = scenario.kube;
        // where build pods run; it runs today's kernel and no Module selects it
        cluster.addNode("preflight-builder-1", "6.1.0-today", Map.of("pool", "builders"));
        scenario.startOperator(Installation.QUICK_LEASE);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (scenario == null) {
                return;
            }
            cluster.admin().resources(PreflightValidation.class).withName(PREFLIGHT).delete();
            scenario.finish("preflight-builder-1");
        } finally {
            registry.close();
        }
    }

    @Test
    void aPreflightBuildsAheadFailsWhatWillNotLoadAndTouchesNothingElse() throws Exception {
        cluster.admin().resource(building("ready-next", "FROM scratch\nARG KERNEL_FULL_VERSION\n")).create();
        cluster.admin().resource(building("broken-next", "FROM scratch\nRUN false\n")).create();
        Module old = module(NS, "old-only", Map.of("pool", "nowhere"), literal("6.1.0-today", "quay.io/v/old:1"));
        old.getMetadata().setUid(null);
        old.getMetadata().setGeneration(null);
        cluster.admin().resource(old).create();

        PreflightValidation pv = new PreflightValidation();
        pv.getMetadata().setName(PREFLIGHT);
        PreflightValidationSpec spec = new PreflightValidationSpec();
        spec.setKernelVersion(KERNEL);
        spec.setPushBuiltImage(true);
        pv.setSpec(spec);
        cluster.admin().resource(pv).create();

        // In progress: the preflight's own build Job for the missing image, labelled and owned as the preflight's.
        await().atMost(TIMEOUT).until(() -> preflightJobs("ready-next").size() == 1);
        Job job = preflightJobs("ready-next").get(0);
        assertThat(job.getMetadata().getName()).startsWith("preflight-ready-next-");
        assertThat(job.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("PreflightValidation");
            assertThat(o.getName()).isEqualTo(PREFLIGHT);
        });
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .contains("--destination=" + registry.host() + "/vendor/ready-next:" + KERNEL)
                .doesNotContain("--no-push");
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(entry("ready-next").getVerdict())
                .isEqualTo(PreflightModuleStatus.IN_PROGRESS));
        assertThat(entry("ready-next").getReason()).isEqualTo("Building");

        // Kaniko pushes before its pod ends; then the Job completes and the image is there.
        await().atMost(TIMEOUT).until(() -> kube.jobPodReady(job));
        registry.push("vendor/ready-next", KERNEL);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            PreflightModuleStatus ready = entry("ready-next");
            assertThat(ready.getVerdict()).isEqualTo(PreflightModuleStatus.SUCCESS);
            assertThat(ready.getReason()).isEqualTo("ImagePresent");
            assertThat(ready.getImage()).isEqualTo(registry.host() + "/vendor/ready-next:" + KERNEL);
        });
        await().atMost(TIMEOUT).untilAsserted(() -> {
            PreflightModuleStatus broken = entry("broken-next");
            assertThat(broken.getVerdict()).isEqualTo(PreflightModuleStatus.FAILURE);
            assertThat(broken.getReason()).isEqualTo("BuildFailed");
            assertThat(broken.getMessage()).contains("Job preflight-broken-next-");
        });
        PreflightModuleStatus oldOnly = entry("old-only");
        assertThat(oldOnly.getVerdict()).isEqualTo(PreflightModuleStatus.FAILURE);
        assertThat(oldOnly.getReason()).isEqualTo("NoKernelMapping");

        // "Can we upgrade?" at a glance, and an event once the answer settled.
        String table = cluster.kubectlOk("get", "preflightvalidations");
        assertThat(table.lines().findFirst().orElseThrow().split("\\s+"))
                .containsExactly("NAME", "PASSED", "SUCCESS", "FAILURE", "INPROGRESS", "AGE", "REASON");
        assertThat(table).contains(PREFLIGHT).contains("PreflightFailed");
        var status = cluster.admin().resources(PreflightValidation.class).withName(PREFLIGHT).get().getStatus();
        assertThat(status.getSuccess()).isEqualTo(1);
        assertThat(status.getFailure()).isEqualTo(2);
        assertThat(status.getModules().get(0).getVerdict()).as("failures first")
                .isEqualTo(PreflightModuleStatus.FAILURE);
        await().atMost(TIMEOUT).until(() -> cluster.admin().v1().events().inNamespace("default").list().getItems()
                .stream().anyMatch(e -> PREFLIGHT.equals(e.getInvolvedObject().getName())
                        && "PreflightFailed".equals(e.getReason())));
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(scenario.operator().baseUrl() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("kmm_preflight_checks{preflight=\"" + PREFLIGHT + "\",verdict=\"Failure\"} 2.0");

        // Nothing but builds: no loader, no Module build, no node label.
        for (String name : List.of("ready-next", "broken-next", "old-only")) {
            assertThat(kube.loaders(NS, name)).isEmpty();
        }
        assertThat(kube.buildJobs(NS, "ready-next", "build")).allSatisfy(j -> assertThat(j.getMetadata()
                .getLabels()).containsKey(Labels.PREFLIGHT));
        assertThat(cluster.admin().nodes().withName("preflight-builder-1").get().getMetadata().getLabels().keySet())
                .noneMatch(k -> k.endsWith(Labels.READY_SUFFIX));
        assertThat(scenario.createdJobs("preflight-ready-next-")).as("one build, not repeated").isEqualTo(1);

        // Deleting the PreflightValidation deletes its builds (the real garbage collector, by owner).
        cluster.admin().resources(PreflightValidation.class).withName(PREFLIGHT).delete();
        await().atMost(TIMEOUT).until(() -> preflightJobs("ready-next").isEmpty()
                && preflightJobs("broken-next").isEmpty());
    }

    private static Module building(String name, String dockerfile) {
        Module m = module(NS, name, Map.of("pool", "nowhere"),
                regexp("-next$", registry.host() + "/vendor/" + name + ":${KERNEL_FULL_VERSION}"));
        m.getMetadata().setUid(null);
        m.getMetadata().setGeneration(null);
        Build build = new Build();
        build.setDockerfile(dockerfile);
        build.setPull(new RegistryOptions(true));
        build.setPush(new RegistryOptions(true));
        m.getSpec().setBuild(build);
        return m;
    }

    private static List<Job> preflightJobs(String module) {
        return cluster.admin().batch().v1().jobs().inNamespace(NS).withLabel(Labels.PREFLIGHT, PREFLIGHT)
                .withLabel(Labels.MODULE_NAME, module).list().getItems();
    }

    private static PreflightModuleStatus entry(String module) {
        var status = cluster.admin().resources(PreflightValidation.class).withName(PREFLIGHT).get().getStatus();
        return status.getModules().stream().filter(m -> module.equals(m.getName())).findFirst().orElseThrow();
    }
}
