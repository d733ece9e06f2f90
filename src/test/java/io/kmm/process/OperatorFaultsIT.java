package io.kmm.process;

import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kmm.TestModules;
import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;
import io.kmm.status.Conditions;
import io.kmm.registry.TestRegistry;

/**
 * Faults that are hard to provoke on a real control plane, against the packaged operator running as its own process
 * (prod profile, leader election on) and an API server that can fail on demand ({@link FaultyApiServer}): 409
 * conflicts on chosen requests, a SIGKILL while DaemonSet creations are slowed down and a build runs, and
 * credentials that must never be printed. The API outage, the etcd restart and a SIGKILL on a real control plane are
 * in {@code io.kmm.e2e.FaultsIT}. Runs after {@code package} (failsafe).
 */
class OperatorFaultsIT {

    static {
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    private static final String NS = "faults";
    private static final Map<String, String> POOL = Map.of("pool", "faults");
    private static final Duration CONVERGENCE = Duration.ofSeconds(30);
    private static final String PASSWORD = "hunter2-do-not-log";

    private static Map<String, String> operatorConfig() {
        return Map.of("kmm.leader-election.lease-namespace", "kmm-system",
                // no registry answers here: keep the check's backoff short so the status is written at once
                "kmm.registry.timeout", "2s");
    }

    @Test
    void retriesConflictsAndNeverPrintsCredentials() throws Exception {
        try (FaultyApiServer api = new FaultyApiServer()) {
            KubernetesClient c = api.client();
            for (int i = 0; i < 6; i++) {
                c.nodes().resource(TestModules.node("node-" + i, "5.14.0-" + (i % 3) + ".el9.x86_64",
                        Map.of("pool", "faults", "team", "storage"))).create();
            }
            c.resource(module(NS, "mod", POOL, regexp("^5\\.14\\.", "quay.io/vendor/mod:v1-${KERNEL_FULL_VERSION}")))
                    .create();
            // A Module with real-looking credentials, on a registry nobody answers for.
            String auth = Base64.getEncoder().encodeToString(("robot:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            c.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("pull").endMetadata()
                    .withType("kubernetes.io/dockerconfigjson").withData(Map.of(".dockerconfigjson", b64(
                            "{\"auths\":{\"127.0.0.1:1\":{\"auth\":\"" + auth + "\",\"password\":\"" + PASSWORD
                                    + "\"}}}"))).build()).create();
            c.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("garbled")
                    .endMetadata().withType("kubernetes.io/dockerconfigjson").withData(Map.of(".dockerconfigjson",
                            b64("{\"auths\":{\"127.0.0.1:1\":{\"password\":\"" + PASSWORD + "\"")))
                    .build()).create();
            c.resource(withSecret(building(module(NS, "private", POOL, regexp("^5\\.14\\.",
                    "127.0.0.1:1/vendor/private:${KERNEL_FULL_VERSION}"))), "pull")).create();
            c.resource(withSecret(building(module(NS, "garbled", POOL, regexp("^5\\.14\\.",
                    "127.0.0.1:1/vendor/garbled:${KERNEL_FULL_VERSION}"))), "garbled")).create();

            try (OperatorProcess operator = OperatorProcess.launch(OperatorProcess.java(), OperatorProcess.app(),
                    api.url(), List.of(), operatorConfig())) {
                operator.awaitReady(Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(30)).until(() -> loaders(c, "mod").size() == 3);
                loaders(c, "mod").forEach(ds -> markAvailable(c, ds));
                await().atMost(Duration.ofSeconds(30)).until(() -> "True".equals(condition(c, "mod", "Ready")));
                await().atMost(Duration.ofSeconds(30)).until(() -> "RegistryCheckFailed".equals(reason(c, "private"))
                        && "RegistryCheckFailed".equals(reason(c, "garbled")));
                assertThat(message(c, "private")).contains("127.0.0.1:1").doesNotContain("NoClassDefFoundError");
                assertThat(message(c, "garbled")).contains("Secret faults/garbled (spec.imageRepoSecret) is malformed");

                // (An API server outage, an etcd restart and a SIGKILL mid-rollout are shown on the real control
                // plane by io.kmm.e2e.FaultsIT.) Meanwhile an administrator changes the Module and adds a node.
                c.resources(Module.class).inNamespace(NS).withName("mod").edit(m -> {
                    m.getSpec().getKernelMappings().get(0).setContainerImage(
                            "quay.io/vendor/mod:v2-${KERNEL_FULL_VERSION}");
                    return m;
                });
                c.nodes().resource(TestModules.node("node-new", "5.14.0-9.el9.x86_64",
                        Map.of("pool", "faults", "team", "storage"))).create();
                await().atMost(CONVERGENCE).pollInterval(Duration.ofMillis(200)).until(() -> {
                    List<DaemonSet> ds = loaders(c, "mod");
                    Module m = c.resources(Module.class).inNamespace(NS).withName("mod").get();
                    return ds.size() == 4 && ds.stream().allMatch(d -> d.getSpec().getTemplate().getSpec()
                            .getContainers().get(0).getImage().startsWith("quay.io/vendor/mod:v2-"))
                            && m.getStatus() != null
                            && Objects.equals(m.getStatus().getObservedGeneration(), m.getMetadata().getGeneration())
                            && "5.14.0-9.el9.x86_64".equals(kernelLabel(c, "node-new"));
                });

                // --- 409 Conflict on the next status writes and node label patches: retried, and nothing the
                // operator did not set is lost.
                api.conflict("PUT", "/modules/mod/status$", 2);
                api.conflict("PATCH", "^/api/v1/nodes/node-conflict$", 2);
                c.nodes().resource(TestModules.node("node-conflict", "5.14.0-10.el9.x86_64",
                        Map.of("pool", "faults", "team", "storage"))).create();
                DaemonSet first = loaders(c, "mod").get(0);
                c.apps().daemonSets().inNamespace(NS).withName(first.getMetadata().getName()).edit(ds -> {
                    ds.getMetadata().getLabels().put("owner.example.com/team", "storage");
                    ds.getMetadata().getAnnotations().put("example.com/audited", "yes");
                    return ds;
                });
                c.resources(Module.class).inNamespace(NS).withName("mod").edit(m -> {
                    m.getSpec().getKernelMappings().get(0).setContainerImage(
                            "quay.io/vendor/mod:v3-${KERNEL_FULL_VERSION}");
                    return m;
                });
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    Module m = c.resources(Module.class).inNamespace(NS).withName("mod").get();
                    return api.pendingConflicts() == 0 && loaders(c, "mod").size() == 5
                            && loaders(c, "mod").stream().allMatch(d -> d.getSpec().getTemplate().getSpec()
                                    .getContainers().get(0).getImage().startsWith("quay.io/vendor/mod:v3-"))
                            && Objects.equals(m.getStatus().getObservedGeneration(), m.getMetadata().getGeneration())
                            && m.getStatus().getTargetedNodes() == 8
                            && "5.14.0-10.el9.x86_64".equals(kernelLabel(c, "node-conflict"));
                });
                assertThat(kernelLabel(c, "node-conflict")).isEqualTo("5.14.0-10.el9.x86_64");
                assertThat(c.nodes().withName("node-conflict").get().getMetadata().getLabels())
                        .containsEntry("team", "storage");
                DaemonSet edited = c.apps().daemonSets().inNamespace(NS).withName(first.getMetadata().getName()).get();
                assertThat(edited.getMetadata().getLabels()).containsEntry("owner.example.com/team", "storage");
                assertThat(edited.getMetadata().getAnnotations()).containsEntry("example.com/audited", "yes");

                // --- Credentials never appear in the logs, events or status.
                String everything = operator.output() + c.getKubernetesSerialization().asJson(
                        c.resources(Module.class).inNamespace(NS).list()) + c.getKubernetesSerialization().asJson(
                                c.v1().events().inNamespace(NS).list().getItems().stream().map(Event::getMessage)
                                        .toList());
                assertThat(everything).contains("RegistryCheckFailed").doesNotContain(PASSWORD).doesNotContain(auth)
                        .doesNotContain(b64("robot:" + PASSWORD).substring(0, 12));
                assertThat(operator.isAlive()).isTrue();
            }
        }
    }

    /**
     * A connection closed without an answer while the informers start (seen on the real API server in CI: the
     * operator exited 1) is retried. A list that keeps failing past the cache-sync timeout (10 s here, 60 s as
     * shipped) leaves the operator running, live and not ready, naming the informer; it becomes ready and reconciles
     * as soon as the lists are answered.
     */
    @Test
    void aConnectionDroppedWhileTheInformersStartIsRetried() throws Exception {
        String preflights = "^/apis/ooto\\.sigs\\.k8s\\.io/v1alpha1/preflightvalidations$";
        try (FaultyApiServer api = new FaultyApiServer(); DroppingProxy proxy = new DroppingProxy(api.port())) {
            KubernetesClient c = api.client();
            for (int i = 0; i < 3; i++) {
                c.nodes().resource(TestModules.node("node-" + i, "5.14.0-" + i + ".el9.x86_64", POOL)).create();
            }
            c.resource(module(NS, "mod", POOL, regexp("^5\\.14\\.", "quay.io/vendor/mod:${KERNEL_FULL_VERSION}")))
                    .create();
            // Every list of PreflightValidations until healed; the first list of Modules, Nodes and DaemonSets.
            proxy.dropLists(preflights, Integer.MAX_VALUE);
            proxy.dropLists("/modules$", 1);
            proxy.dropLists("^/api/v1/nodes$", 1);
            proxy.dropLists("/daemonsets$", 1);
            Map<String, String> config = new java.util.HashMap<>(operatorConfig());
            config.put("quarkus.operator-sdk.cache-sync-timeout", "10s");
            try (OperatorProcess operator = OperatorProcess.launch(OperatorProcess.java(), OperatorProcess.app(),
                    proxy.url(), List.of(), config)) {
                try {
                    await().atMost(Duration.ofSeconds(60)).failFast("the operator exited", () -> !operator.isAlive())
                            .until(() -> proxy.droppedMatching(preflights) >= 3 && operator.health("live") == 200);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("dropped " + proxy.dropped() + "; the operator:\n" + operator.output(), e);
                }
                assertThat(proxy.droppedMatching("/modules$")).isEqualTo(1);
                assertThat(operator.health("ready")).isEqualTo(503);
                assertThat(operator.healthBody("ready")).contains("preflight").contains("not synced");

                proxy.heal();
                operator.awaitReady(Duration.ofSeconds(60));
                await().atMost(CONVERGENCE).until(() -> loaders(c, "mod").size() == 3);
                assertThat(operator.output()).contains("will retry").doesNotContain("Operator will be stopped");
                assertThat(operator.isAlive()).isTrue();
            }
        }
    }

    @Test
    void aKillInTheMiddleOfARolloutAndABuildLeavesNoDuplicates() throws Exception {
        int kernels = 20;
        try (FaultyApiServer api = new FaultyApiServer(); TestRegistry registry = TestRegistry.anonymous()) {
            KubernetesClient c = api.client();
            for (int i = 0; i < kernels; i++) {
                c.nodes().resource(TestModules.node("node-" + i, "6.1." + i + "-1-amd64", POOL)).create();
            }
            // Slow DaemonSet creation, so that the kill lands in the middle of the rollout.
            api.slow("POST", "/apis/apps/v1/namespaces/" + NS + "/daemonsets", Duration.ofMillis(150));
            for (String name : List.of("first", "second")) {
                c.resource(module(NS, name, POOL, regexp("^6\\.1\\.", "quay.io/vendor/" + name + ":${KERNEL_XYZ}")))
                        .create();
            }
            // And one kernel whose image is not in the (real, local) registry: the operator starts a Kaniko build.
            c.nodes().resource(TestModules.node("node-build", "6.2.0-build", Map.of("pool", "build"))).create();
            Module built = module(NS, "built", Map.of("pool", "build"),
                    regexp("-build$", registry.host() + "/vendor/built:${KERNEL_FULL_VERSION}"));
            building(built).getSpec().getKernelMappings().get(0).getBuild()
                    .setPush(new io.kmm.api.v1alpha1.RegistryOptions(true));
            built.getSpec().getKernelMappings().get(0).getBuild().setPull(new io.kmm.api.v1alpha1.RegistryOptions(true));
            c.resource(built).create();
            int before;
            try (OperatorProcess operator = OperatorProcess.launch(OperatorProcess.java(), OperatorProcess.app(),
                    api.url(), List.of(), operatorConfig())) {
                operator.awaitReady(Duration.ofSeconds(60));
                try {
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                            .until(() -> loaders(c, "first").size() + loaders(c, "second").size() >= 5
                                    && buildJobs(c).size() == 1);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("DaemonSets " + (loaders(c, "first").size() + loaders(c, "second")
                            .size()) + ", build Jobs " + buildJobs(c).size() + "; operator output:\n"
                            + operator.output(), e);
                }
                operator.kill();
                before = loaders(c, "first").size() + loaders(c, "second").size();
            }
            assertThat(before).as("killed in the middle of the rollout").isBetween(5, 2 * kernels - 1);

            // The restarted operator (the Lease of the killed one has to expire first) finishes the rollout.
            try (OperatorProcess operator = OperatorProcess.launch(OperatorProcess.java(), OperatorProcess.app(),
                    api.url(), List.of(), Map.of("kmm.leader-election.lease-namespace", "kmm-system",
                            "kmm.leader-election.lease-duration", "4s", "kmm.leader-election.renew-deadline", "3s",
                            "kmm.leader-election.retry-period", "1s"))) {
                await().atMost(Duration.ofSeconds(90)).until(() -> loaders(c, "first").size() == kernels
                        && loaders(c, "second").size() == kernels);
                Thread.sleep(2000); // anything duplicated would show up now
                List<String> posts = api.requests().stream()
                        .filter(r -> r.startsWith("POST /apis/apps/v1/namespaces/" + NS + "/daemonsets")).toList();
                System.out.printf("killed after %d of %d DaemonSets; %d DaemonSet creations in all%n", before,
                        2 * kernels, posts.size());
                assertThat(posts).as("each DaemonSet created once: the restarted operator found the others")
                        .hasSize(2 * kernels);
                assertThat(c.apps().daemonSets().inNamespace(NS).list().getItems()).hasSize(2 * kernels);
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    Module m = c.resources(Module.class).inNamespace(NS).withName("built").get();
                    return m.getStatus() != null && m.getStatus().getKernels().size() == 1
                            && m.getStatus().getKernels().get(0).getBuild() != null;
                });
                assertThat(buildJobs(c)).as("the running build was adopted, not started again").hasSize(1);
                assertThat(api.requests().stream().filter(r -> r.startsWith("POST /apis/batch/v1/namespaces/" + NS
                        + "/jobs"))).hasSize(1);
                assertThat(operator.isAlive()).isTrue();
            }
        }
    }

    private static List<io.fabric8.kubernetes.api.model.batch.v1.Job> buildJobs(KubernetesClient c) {
        return c.batch().v1().jobs().inNamespace(NS).withLabel(Labels.ROLE, Labels.ROLE_BUILD).list().getItems();
    }

    private static Module building(Module m) {
        Build build = new Build();
        build.setDockerfile("FROM scratch");
        m.getSpec().getKernelMappings().get(0).setBuild(build);
        return m;
    }

    private static Module withSecret(Module m, String secret) {
        m.getSpec().setImageRepoSecret(new io.fabric8.kubernetes.api.model.LocalObjectReference(secret));
        return m;
    }

    private static List<DaemonSet> loaders(KubernetesClient c, String module) {
        return c.apps().daemonSets().inNamespace(NS).withLabel(Labels.MODULE_NAME, module)
                .withLabel(Labels.ROLE, Labels.ROLE_MODULE_LOADER).list().getItems();
    }

    private static void markAvailable(KubernetesClient c, DaemonSet ds) {
        DaemonSet current = c.apps().daemonSets().inNamespace(NS).withName(ds.getMetadata().getName()).get();
        int pods = 2;
        current.setStatus(new DaemonSetStatusBuilder().withObservedGeneration(current.getMetadata().getGeneration())
                .withCurrentNumberScheduled(pods).withDesiredNumberScheduled(pods).withNumberReady(pods)
                .withNumberAvailable(pods).withUpdatedNumberScheduled(pods).withNumberMisscheduled(0).build());
        c.resource(current).updateStatus();
    }

    private static String condition(KubernetesClient c, String module, String type) {
        Module m = c.resources(Module.class).inNamespace(NS).withName(module).get();
        return m == null || m.getStatus() == null ? null
                : Conditions.find(m.getStatus().getConditions(), type).map(x -> x.getStatus()).orElse(null);
    }

    private static String reason(KubernetesClient c, String module) {
        Module m = c.resources(Module.class).inNamespace(NS).withName(module).get();
        return m == null || m.getStatus() == null ? null
                : Conditions.find(m.getStatus().getConditions(), Conditions.DEGRADED).map(x -> x.getReason())
                        .orElse(null);
    }

    private static String message(KubernetesClient c, String module) {
        Module m = c.resources(Module.class).inNamespace(NS).withName(module).get();
        return Conditions.find(m.getStatus().getConditions(), Conditions.DEGRADED).map(x -> x.getMessage())
                .orElse(null);
    }

    private static String kernelLabel(KubernetesClient c, String node) {
        Node n = c.nodes().withName(node).get();
        return n.getMetadata().getLabels().get(Labels.KERNEL_VERSION);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
