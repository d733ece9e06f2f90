package io.kmm.it;

import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;
import io.kmm.rbac.ApiAudit;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * The scale benchmark (docs/performance.md). Runs the real controllers against the mock API server and prints
 * figures; it asserts only that everything converges, never how fast. Small by default so that CI keeps it working:
 *
 * <pre>
 * ./mvnw test -Dtest=ScaleBenchmarkTest -Dbench.nodes=5000 -Dbench.kernels=20 -Dbench.modules=100 -Dbench.steady-seconds=60
 * </pre>
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ScaleBenchmarkTest extends ClusterTestBase {

    static final int NODES = Integer.getInteger("bench.nodes", 50);
    static final int KERNELS = Integer.getInteger("bench.kernels", 5);
    static final int MODULES = Integer.getInteger("bench.modules", 2);
    static final int STEADY_SECONDS = Integer.getInteger("bench.steady-seconds", 3);
    static final Duration CONVERGE = Duration.ofMinutes(10);
    static final String NS = "bench";

    @Inject
    ReconcileCounter reconcileCounter;

    final StringBuilder report = new StringBuilder();

    static String kernel(int k, int generation) {
        return "6." + generation + "." + k + "-bench";
    }

    @Test
    void scale() throws Exception {
        SharedIndexInformer<Node> nodes = client.nodes().withLabel("pool", "bench").inform();
        SharedIndexInformer<DaemonSet> daemonSets = client.apps().daemonSets().inNamespace(NS)
                .withLabel(Labels.ROLE, Labels.ROLE_MODULE_LOADER).inform();
        try {
            line("KMM scale benchmark: %d nodes, %d kernels, %d Modules (%d cores, JDK %s)", NODES, KERNELS, MODULES,
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

            // 1. Nodes appear and are labelled.
            cluster.drainRequests();
            long t = System.nanoTime();
            for (int i = 0; i < NODES; i++) {
                cluster.addNode("bench-" + i, kernel(i % KERNELS, 1), Map.of("pool", "bench"));
            }
            await().atMost(CONVERGE).pollInterval(Duration.ofMillis(20)).until(() -> labelled(nodes, 1) == NODES);
            line("node labelling: all %d nodes labelled %.2f s after the first was created", NODES, secs(t));
            report("  requests", operatorWrites(), "floor: " + NODES + " node patches");

            // 2. Modules roll out.
            cluster.drainRequests();
            java.util.concurrent.ConcurrentHashMap<String, Long> createdAt = new java.util.concurrent.ConcurrentHashMap<>();
            java.util.concurrent.ConcurrentHashMap<String, Long> completeAt = new java.util.concurrent.ConcurrentHashMap<>();
            daemonSets.addEventHandler(new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
                @Override
                public void onAdd(DaemonSet ds) {
                    String module = ds.getMetadata().getLabels().get(Labels.MODULE_NAME);
                    long count = daemonSets.getStore().list().stream()
                            .filter(d -> module.equals(d.getMetadata().getLabels().get(Labels.MODULE_NAME))).count();
                    if (count == KERNELS) {
                        completeAt.putIfAbsent(module, System.nanoTime());
                    }
                }

                @Override
                public void onUpdate(DaemonSet oldObj, DaemonSet newObj) {
                }

                @Override
                public void onDelete(DaemonSet obj, boolean deletedFinalStateUnknown) {
                }
            });
            t = System.nanoTime();
            for (int m = 0; m < MODULES; m++) {
                createdAt.put("mod-" + m, System.nanoTime());
                cluster.apply(module(NS, "mod-" + m, Map.of("pool", "bench"),
                        regexp("-bench$", "registry.example.com/mod-" + m + ":${KERNEL_FULL_VERSION}")));
            }
            double created = secs(t);
            await().atMost(CONVERGE).pollInterval(Duration.ofMillis(5))
                    .until(() -> daemonSets.getStore().list().size() == MODULES * KERNELS);
            line("rollout: %d Modules created in %.2f s; all %d loader DaemonSets exist %.2f s after the first Module",
                    MODULES, created, MODULES * KERNELS, secs(t));
            await().atMost(CONVERGE).until(this::allStatusesCurrent);
            List<Double> latencies = createdAt.entrySet().stream()
                    .map(e -> (completeAt.get(e.getKey()) - e.getValue()) / 1e9).sorted().toList();
            line("rollout: per Module, creation to all its %d DaemonSets: median %.3f s, max %.3f s", KERNELS,
                    latencies.get(latencies.size() / 2), latencies.get(latencies.size() - 1));
            line("rollout: every Module's status shows %d targeted nodes %.2f s after the first Module", NODES, secs(t));
            report("  requests", operatorWrites(), "floor: " + MODULES * KERNELS + " DaemonSet creates + "
                    + MODULES + "+ status writes");

            // 3. Steady state, with node heartbeats.
            cluster.drainRequests();
            double reconcilesBefore = reconciles();
            for (int i = 0; i < Math.min(NODES, 100); i++) {
                Node n = client.nodes().withName("bench-" + i).get();
                n.getStatus().setConditions(List.of(new NodeConditionBuilder().withType("Ready").withStatus("True")
                        .withLastHeartbeatTime("2026-01-01T00:00:00Z").build()));
                client.nodes().resource(n).updateStatus();
            }
            TimeUnit.SECONDS.sleep(STEADY_SECONDS);
            Map<String, Integer> steady = operatorWrites();
            line("steady state: %d s, %d node heartbeats: %d reconciles (%d since start), operator writes: %s",
                    STEADY_SECONDS, Math.min(NODES, 100), (long) (reconciles() - reconcilesBefore), (long) reconciles(),
                    steady.isEmpty() ? "none" : steady);
            assertThat(reconcilesBefore).as("the reconcile counter is read").isPositive();

            // 4. Fleet-wide kernel upgrade.
            cluster.drainRequests();
            t = System.nanoTime();
            for (int i = 0; i < NODES; i++) {
                cluster.setKernel("bench-" + i, kernel(i % KERNELS, 2));
            }
            double reported = secs(t);
            await().atMost(CONVERGE).pollInterval(Duration.ofMillis(20)).until(() -> labelled(nodes, 2) == NODES);
            line("upgrade: kubelets reported %d new kernels in %.2f s; all nodes relabelled after %.2f s", NODES,
                    reported, secs(t));
            await().atMost(CONVERGE).pollInterval(Duration.ofMillis(20)).until(() -> daemonSets.getStore().list()
                    .stream().allMatch(ds -> ds.getMetadata().getLabels().get(Labels.KERNEL_VERSION).startsWith("6.2."))
                    && daemonSets.getStore().list().size() == MODULES * KERNELS);
            line("upgrade: loader DaemonSets converged (new created, old deleted) after %.2f s", secs(t));
            await().atMost(CONVERGE).until(this::allStatusesCurrent);
            report("  requests", operatorWrites(), "floor: " + NODES + " node patches + " + 2 * MODULES * KERNELS
                    + " DaemonSet creates/deletes + status writes");

            // 5. Memory.
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            line("memory: heap used after full GC %d MiB (whole test JVM: operator + mock API server + test), "
                    + "RSS %s", heap >> 20, rss());
            System.out.println("\n" + report);
            assertThat(daemonSets.getStore().list()).hasSize(MODULES * KERNELS);
        } finally {
            nodes.close();
            daemonSets.close();
        }
    }

    long labelled(SharedIndexInformer<Node> nodes, int generation) {
        return nodes.getStore().list().stream().filter(n -> n.getMetadata().getLabels() != null
                && n.getMetadata().getLabels().getOrDefault(Labels.KERNEL_VERSION, "").startsWith("6." + generation
                        + ".")).count();
    }

    boolean allStatusesCurrent() {
        List<Module> modules = client.resources(Module.class).inNamespace(NS).list().getItems();
        return modules.size() == MODULES && modules.stream().allMatch(m -> m.getStatus() != null
                && m.getStatus().getTargetedNodes() == NODES && m.getStatus().getKernels().stream()
                        .allMatch(k -> k.getDaemonSet() != null));
    }

    double reconciles() {
        return reconcileCounter.count();
    }

    /** Writes sent by the operator since the last drain, by "VERB resource", the test's own writes left out. */
    Map<String, Integer> operatorWrites() throws InterruptedException {
        Map<String, Integer> counts = new TreeMap<>();
        for (RecordedRequest r : ApiAudit.take(server)) {
            String method = r.getMethod();
            if ("GET".equals(method) || !ApiAudit.fromOperator(r)) {
                continue;
            }
            counts.merge(method + " " + resource(r.getPath().replaceFirst("\\?.*", "")), 1, Integer::sum);
        }
        return counts;
    }

    static String resource(String path) {
        String[] parts = path.split("/");
        List<String> p = new ArrayList<>(List.of(parts));
        int ns = p.indexOf("namespaces");
        int start = p.get(1).equals("api") ? 3 : 4;
        if (ns >= 0 && p.size() > ns + 2) {
            start = ns + 2;
        }
        String resource = p.get(start);
        return p.size() > start + 2 ? resource + "/" + p.get(start + 2) : resource;
    }

    void report(String label, Map<String, Integer> writes, String floor) {
        int total = writes.values().stream().mapToInt(Integer::intValue).sum();
        line("%s: %d writes %s (%s)", label, total, writes, floor);
    }

    void line(String format, Object... args) {
        String text = String.format(format, args);
        report.append(text).append('\n');
        System.out.println("[bench] " + text);
    }

    static double secs(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    static String rss() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS"))
                .map(l -> l.replaceAll("\\s+", " ").substring(7)).findFirst().orElse("?");
    }
}
