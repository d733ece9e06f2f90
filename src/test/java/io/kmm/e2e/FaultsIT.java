package io.kmm.e2e;

import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;
import io.kmm.status.Conditions;
import io.kmm.process.OperatorProcess;

/**
 * What a production control plane does to an operator, on a real one: 60 s of kwok heartbeats on a settled cluster
 * (no write by the operator), the kube-apiserver stopped for 60 s, etcd restarted, and the operator SIGKILLed in the
 * middle of a rollout. The operator stays up (or restarts cleanly), creates nothing twice, converges, and never
 * prints its token.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsIT {

    static {
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    private static final String NS = "e2e-faults";
    private static final Map<String, String> POOL = Map.of("pool", "faults");
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("faults.outage-seconds", 60));
    private static final Duration STEADY = Duration.ofSeconds(Long.getLong("faults.steady-seconds", 60));
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static Scenario scenario;
    private static LocalCluster cluster;
    private static Installation installation;
    /** With the shipped lease timings (137 s), which ride out a 60 s API outage. */
    private static OperatorProcess operator;
    private static Kube kube;
    private static final List<String> TOKENS = new ArrayList<>();
    /** From a restart of kube-apiserver or etcd until 10 s after it answered again. */
    private static final List<Instant[]> RESTARTS = new ArrayList<>();
    private static final StringBuilder OUTPUT = new StringBuilder();

    @BeforeAll
    static void start() throws Exception {
        scenario = Scenario.begin(FaultsIT.class, NS);
        cluster = scenario.cluster;
        installation = scenario.installation;
        kube = scenario.kube;
        for (int i = 0; i < 6; i++) {
            cluster.addNode("faults-" + i, "5.14.0-" + (i % 3) + ".el9.x86_64", POOL);
        }
        operator = scenario.startOperator(Map.of());
        TOKENS.add(installation.lastToken);
        cluster.admin().resource(fresh(module(NS, "mod", POOL,
                regexp("^5\\.14\\.", "quay.io/vendor/mod:v1-${KERNEL_FULL_VERSION}")))).create();
        awaitConverged("mod", "quay.io/vendor/mod:v1-", 3, 6);
    }

    @AfterAll
    static void stop() throws Exception {
        if (operator != null) {
            OUTPUT.append(operator.output());
        }
        java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "e2e-logs"));
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "e2e-logs", "FaultsIT-operators.log"), OUTPUT);
        try {
            assertThat(TOKENS).allSatisfy(token -> assertThat(OUTPUT.toString()).as("the operator's token is never "
                    + "printed").doesNotContain(token).doesNotContain(token.substring(token.length() - 20)));
        } finally {
            scenario.finish(RESTARTS);
            cluster.kubectl("delete", "nodes", "-l", "pool in (faults,kill)");
        }
    }

    @Test
    @Order(1)
    void aSettledClusterWithHeartbeatsCausesNoWrite() throws Exception {
        Thread.sleep(3000); // the last status writes of the rollout land
        Instant from = Instant.now();
        Thread.sleep(STEADY.toMillis());
        Instant to = Instant.now();
        List<AuditLog.Entry> all = AuditLog.read(cluster.auditLog()).stream()
                .filter(e -> !e.time().isBefore(from) && e.time().isBefore(to)).toList();
        List<AuditLog.Entry> heartbeats = all.stream().filter(e -> e.isWrite() && (e.resource().equals("nodes/status")
                || e.resource().equals("leases") && e.namespace().equals("kube-node-lease"))).toList();
        List<AuditLog.Entry> operatorWrites = all.stream().filter(e -> e.user().equals(Installation.USER))
                .filter(AuditLog.Entry::isWrite)
                // the operator's own leader-election Lease is renewed every few seconds: that is not reconcile work
                .filter(e -> !(e.resource().equals("leases") && e.namespace().equals(Installation.NAMESPACE)))
                .toList();
        System.out.printf("[FaultsIT] steady state %d s: %d node heartbeats and lease renewals, %d operator writes%n",
                STEADY.toSeconds(), heartbeats.size(), operatorWrites.size());
        assertThat(heartbeats.stream().filter(e -> e.resource().equals("nodes/status")).count())
                .as("kwok heartbeats node status during the window").isGreaterThanOrEqualTo(6);
        assertThat(heartbeats.stream().filter(e -> e.resource().equals("leases")).count())
                .as("kwok renews node leases during the window").isGreaterThanOrEqualTo(6);
        assertThat(operatorWrites).as("writes by the operator on a settled cluster").isEmpty();
    }

    @Test
    @Order(2)
    void anApiServerOutageOfAMinuteIsRiddenOut() throws Exception {
        cluster.control("stop-apiserver");
        List<Integer> liveness = new ArrayList<>();
        Set<Integer> readiness = new TreeSet<>();
        long end = System.nanoTime() + OUTAGE.toNanos();
        while (System.nanoTime() < end) {
            assertThat(operator.isAlive()).as("the operator stays up while the API server is down").isTrue();
            liveness.add(operator.health("live"));
            readiness.add(operator.health("ready"));
            Thread.sleep(2000);
        }
        Instant restart = Instant.now();
        cluster.control("start-apiserver");
        RESTARTS.add(new Instant[] {restart, Instant.now().plusSeconds(10)});
        System.out.printf("[FaultsIT] readiness answers during the outage: %s%n", readiness);
        assertThat(liveness).as("liveness does not flap during an API outage").containsOnly(200);

        // Back: a change to the Module and a new node are picked up; nothing is duplicated.
        long back = System.nanoTime();
        cluster.admin().resources(Module.class).inNamespace(NS).withName("mod").edit(m -> {
            m.getSpec().getKernelMappings().get(0).setContainerImage("quay.io/vendor/mod:v2-${KERNEL_FULL_VERSION}");
            return m;
        });
        cluster.addNode("faults-new", "5.14.0-9.el9.x86_64", POOL);
        try {
            awaitDaemonSets("mod", "quay.io/vendor/mod:v2-", 4);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not converged after the outage; operator alive: " + operator.isAlive()
                    + "; its last output:\n" + tail(operator.output(), 80), e);
        }
        double operatorSide = (System.nanoTime() - back) / 1e9;
        // After an outage longer than the node grace period (3 minutes in dev/local-cluster, longer than OUTAGE
        // unless faults.outage-seconds says otherwise), the node lifecycle controller marks the nodes
        // unreachable (a NoSchedule taint, which DaemonSet pods do not tolerate) until kwok renews their Leases, and
        // the scheduler parks a pod it could not place with the unschedulable ones: it tries again on a cluster event
        // that may make it fit (the taint going), or at the latest after 5 minutes (podMaxInUnschedulablePodsDuration)
        // when that event went by during its own reconnection. The pods take longer than the operator: 79 s in one
        // run, over 4 minutes in another.
        awaitConverged("mod", "quay.io/vendor/mod:v2-", 4, 7, Duration.ofMinutes(7));
        System.out.printf("[FaultsIT] after the API server came back: DaemonSets as desired after %.1f s, every pod "
                + "Ready and the Module Ready after %.1f s%n", operatorSide, (System.nanoTime() - back) / 1e9);
        assertThat(operator.isAlive()).isTrue();
        await().atMost(TIMEOUT).until(() -> operator.health("ready") == 200);
        assertCreatedOnce("mod");
    }

    @Test
    @Order(3)
    void anEtcdRestartIsRiddenOut() throws Exception {
        Instant restart = Instant.now();
        cluster.control("restart-etcd");
        RESTARTS.add(new Instant[] {restart, Instant.now().plusSeconds(10)});
        cluster.admin().resources(Module.class).inNamespace(NS).withName("mod").edit(m -> {
            m.getSpec().getKernelMappings().get(0).setContainerImage("quay.io/vendor/mod:v3-${KERNEL_FULL_VERSION}");
            return m;
        });
        awaitConverged("mod", "quay.io/vendor/mod:v3-", 4, 7);
        assertThat(operator.isAlive()).isTrue();
        assertCreatedOnce("mod");
    }

    @Test
    @Order(4)
    void aKillInTheMiddleOfARolloutLeavesNoDuplicates() throws Exception {
        OUTPUT.append(operator.output());
        operator.close();
        operator = null;
        scenario.forgetOperator();
        int kernels = 40;
        for (int i = 0; i < kernels; i++) {
            cluster.addNode("kill-" + i, "6.1." + i + "-1-amd64", Map.of("pool", "kill"));
        }
        int before;
        try (OperatorProcess first = installation.launchOperator(Installation.QUICK_LEASE)) {
            TOKENS.add(installation.lastToken);
            first.awaitReady(Duration.ofSeconds(90));
            await().atMost(TIMEOUT).until(() -> cluster.admin().nodes().withLabel("pool", "kill").list().getItems()
                    .stream().allMatch(n -> n.getMetadata().getLabels().containsKey(Labels.KERNEL_VERSION)));
            cluster.admin().resource(fresh(module(NS, "many", Map.of("pool", "kill"),
                    regexp("^6\\.1\\.", "quay.io/vendor/many:${KERNEL_FULL_VERSION}")))).create();
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(5)).until(() -> !kube.loaders(NS, "many").isEmpty());
            first.kill();
            OUTPUT.append(first.output());
            before = kube.loaders(NS, "many").size();
        }
        System.out.printf("[FaultsIT] SIGKILL after %d of %d DaemonSets%n", before, kernels);
        assertThat(before).as("killed in the middle of the rollout").isLessThan(kernels);

        try (OperatorProcess second = installation.launchOperator(Installation.QUICK_LEASE)) {
            TOKENS.add(installation.lastToken);
            awaitConverged("many", "quay.io/vendor/many:", kernels, kernels);
            Thread.sleep(2000); // anything duplicated would show up now
            assertCreatedOnce("many");
            assertThat(second.isAlive()).isTrue();
            OUTPUT.append(second.output());
        }
    }

    /** The operator's part: one loader per kernel, each with the image. */
    private static void awaitDaemonSets(String module, String imagePrefix, int kernels) {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            List<DaemonSet> loaders = kube.loaders(NS, module);
            assertThat(loaders).hasSize(kernels);
            assertThat(loaders).allSatisfy(ds -> assertThat(ds.getSpec().getTemplate().getSpec().getContainers()
                    .get(0).getImage()).startsWith(imagePrefix));
        });
    }

    /** Every loader of the Module runs the image, its pods are Ready on every node, the Module is Ready. */
    private static void awaitConverged(String module, String imagePrefix, int kernels, int nodes) {
        awaitConverged(module, imagePrefix, kernels, nodes, TIMEOUT);
    }

    private static void awaitConverged(String module, String imagePrefix, int kernels, int nodes, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            List<DaemonSet> loaders = kube.loaders(NS, module);
            assertThat(loaders).hasSize(kernels);
            assertThat(loaders).allSatisfy(ds -> assertThat(ds.getSpec().getTemplate().getSpec().getContainers()
                    .get(0).getImage()).startsWith(imagePrefix));
            assertThat(loaders.stream().mapToInt(ds -> kube.readyPodsByNode(NS, ds).size()).sum()).isEqualTo(nodes);
            assertThat(kube.observed(NS, module)).isTrue();
            assertThat(kube.conditionStatus(NS, module, Conditions.READY)).isEqualTo("True");
        });
    }

    /** Each of the Module's DaemonSets was created once (the audit log of the real API server). */
    private static void assertCreatedOnce(String module) throws Exception {
        List<String> creates = AuditLog.of(cluster.auditLog(), Installation.USER, scenario.since).stream()
                .filter(e -> e.verb().equals("create") && e.resource().equals("daemonsets")
                        && e.namespace().equals(NS) && e.name().startsWith(module + "-"))
                .map(e -> e.name() + " " + e.code()).toList();
        assertThat(creates).as("DaemonSet creations of %s", module).doesNotHaveDuplicates()
                .allSatisfy(c -> assertThat(c).endsWith(" 201"));
        assertThat(creates).hasSize((int) cluster.admin().apps().daemonSets().inNamespace(NS)
                .withLabel(Labels.MODULE_NAME, module).list().getItems().stream().count() + deleted(module));
    }

    /** DaemonSets of the Module the operator deleted (kernels no node runs any more). */
    private static int deleted(String module) throws Exception {
        return (int) AuditLog.of(cluster.auditLog(), Installation.USER, scenario.since).stream()
                .filter(e -> e.verb().equals("delete") && e.resource().equals("daemonsets")
                        && e.namespace().equals(NS) && e.name().startsWith(module + "-") && e.code() == 200)
                .count();
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static Module fresh(Module m) {
        m.getMetadata().setUid(null);
        m.getMetadata().setGeneration(null);
        return m;
    }
}
