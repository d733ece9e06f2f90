package io.kmm.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kmm.TestModules;
import io.kmm.api.v1alpha1.Module;
import io.kmm.e2e.Installation;
import io.kmm.e2e.LocalCluster;
import io.kmm.meta.Labels;
import io.kmm.status.Conditions;
import io.kmm.process.OperatorProcess;

/**
 * The scale benchmark on the real control plane (docs/performance.md): the local cluster of {@code dev/local-cluster}
 * (state in target/bench-cluster) with N kwok nodes over K kernels, {@code kubernetes/} installed with kubectl, and
 * the packaged operator as its ServiceAccount with the heap of the shipped Deployment. Phases as in
 * {@link ScaleBenchmark}: labelling, rollout of M Modules, one Module on a settled cluster, a steady state with kwok's
 * heartbeats, a fleet-wide kernel upgrade, memory. The operator's requests are counted from the API server's audit log
 * (its user), per phase. With {@code bench.controllers=true} (default) the DaemonSet controller and the scheduler run
 * and kwok "runs" the pods, so rollouts end when every Module is Ready; with {@code false} they are left out and only
 * the operator's side is measured. Prints figures, asserts only that everything converges.
 *
 * <p>{@code ./mvnw -q exec:java@cluster-benchmark -Dbench.nodes=1000 -Dbench.kernels=20 -Dbench.modules=2}; without
 * properties 50 nodes, 5 kernels, 2 Modules, 5 s of steady state (what CI runs).
 */
public final class ClusterBenchmark {

    static final int NODES = Integer.getInteger("bench.nodes", 50);
    static final int KERNELS = Integer.getInteger("bench.kernels", 5);
    static final int MODULES = Integer.getInteger("bench.modules", 2);
    static final int STEADY_SECONDS = Integer.getInteger("bench.steady-seconds", 5);
    static final boolean CONTROLLERS = Boolean.parseBoolean(System.getProperty("bench.controllers", "true"));
    static final String HEARTBEAT_MS = System.getProperty("bench.heartbeat-ms", "20000");
    static final Duration CONVERGE = Duration.ofMinutes(Long.getLong("bench.timeout-minutes", 20));
    static final String HEAP = System.getProperty("bench.heap", "-Xmx384m");
    static final String NS = "bench";
    static final ObjectMapper JSON = new ObjectMapper();

    private final StringBuilder report = new StringBuilder();
    private final LocalCluster cluster;
    private final KubernetesClient client;
    private final AuditTail audit;
    private final ConcurrentHashMap<String, Integer> loaders = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> createdAt = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> completeAt = new ConcurrentHashMap<>();

    private ClusterBenchmark(LocalCluster cluster) {
        this.cluster = cluster;
        this.client = cluster.admin();
        this.audit = new AuditTail(cluster.auditLog(), Installation.USER);
    }

    public static void main(String[] args) {
        int exit = 0;
        LocalCluster cluster = null;
        try {
            List<String> options = new ArrayList<>();
            if (!CONTROLLERS) {
                options.addAll(List.of("--no-scheduler", "--no-daemonset-controller"));
            }
            cluster = LocalCluster.start(Path.of("target", "bench-cluster").toAbsolutePath(),
                    Map.of("KMM_KWOK_HEARTBEAT_MS", HEARTBEAT_MS), options.toArray(String[]::new));
            new ClusterBenchmark(cluster).run();
        } catch (Throwable e) {
            e.printStackTrace();
            exit = 1;
        } finally {
            if (cluster != null) {
                cluster.down();
            }
        }
        System.exit(exit); // the client leaves non-daemon threads behind
    }

    private void run() throws Exception {
        line("KMM cluster benchmark: %d kwok nodes, %d kernels, %d Modules; DaemonSet controller and scheduler %s; "
                + "operator %s (%s), %d cores; Kubernetes %s", NODES, KERNELS, MODULES, CONTROLLERS ? "on" : "off",
                HEAP, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                client.getKubernetesVersion().getGitVersion());
        Installation installation = Installation.install(cluster);
        cluster.kubectlOk("create", "namespace", NS);
        SharedIndexInformer<DaemonSet> informer = client.apps().daemonSets().inNamespace(NS)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(DaemonSet ds) {
                        String module = ds.getMetadata().getLabels().get(Labels.MODULE_NAME);
                        if (Labels.ROLE_MODULE_LOADER.equals(ds.getMetadata().getLabels().get(Labels.ROLE))
                                && loaders.merge(module, 1, Integer::sum) == KERNELS) {
                            completeAt.putIfAbsent(module, System.nanoTime());
                        }
                    }

                    @Override
                    public void onUpdate(DaemonSet old, DaemonSet ds) {
                    }

                    @Override
                    public void onDelete(DaemonSet ds, boolean unknown) {
                        String module = ds.getMetadata().getLabels().get(Labels.MODULE_NAME);
                        loaders.merge(module, -1, Integer::sum);
                    }
                });
        try (OperatorProcess operator = installation.launchOperator(List.of(HEAP.trim().split("\\s+")),
                Map.of("kmm.leader-election.enabled", "false"))) {
            operator.awaitReady(Duration.ofSeconds(90));
            audit.take(); // forget start-up

            // 1. Nodes register (kwok makes them Ready) and are labelled.
            long t = System.nanoTime();
            parallel(NODES, i -> cluster.addNode("bench-" + i, ScaleBenchmark.kernel(i % KERNELS, 1),
                    Map.of("pool", "bench")));
            double created = secs(t);
            await(() -> labelled(1) == NODES);
            line("node labelling: %d nodes created in %.1f s; all labelled %.2f s after the first was created",
                    NODES, created, secs(t));
            requests("  operator requests", "floor: " + NODES + " node patches");

            // 2. Modules roll out.
            t = System.nanoTime();
            for (int m = 0; m < MODULES; m++) {
                createModule("mod-" + m);
            }
            await(() -> completeAt.size() == MODULES);
            line("rollout: all %d loader DaemonSets exist %.2f s after the first Module", MODULES * KERNELS,
                    secs(t));
            List<Double> latencies = createdAt.entrySet().stream()
                    .map(e -> (completeAt.get(e.getKey()) - e.getValue()) / 1e9).sorted().toList();
            line("rollout: per Module, creation to all its %d DaemonSets: median %.3f s, max %.3f s", KERNELS,
                    latencies.get(latencies.size() / 2), latencies.get(latencies.size() - 1));
            await(() -> statusesCurrent(1, MODULES));
            line("rollout: every Module's status shows %d targeted nodes %.2f s after the first Module", NODES,
                    secs(t));
            if (CONTROLLERS) {
                await(() -> allReady(MODULES));
                line("rollout: every Module Ready (%d loader pods Ready under kwok) %.2f s after the first Module",
                        MODULES * NODES, secs(t));
            }
            requests("  operator requests", "floor: " + MODULES * KERNELS + " DaemonSet creates + status writes");

            // 2b. One more Module on a settled cluster: what a user waits for.
            Thread.sleep(3000);
            audit.take();
            t = System.nanoTime();
            createModule("single");
            await(() -> completeAt.containsKey("single"));
            line("one more Module on a settled cluster: all its %d DaemonSets %.3f s after its creation", KERNELS,
                    (completeAt.get("single") - createdAt.get("single")) / 1e9);
            await(() -> statusesCurrent(1, MODULES + 1));
            if (CONTROLLERS) {
                await(() -> allReady(MODULES + 1));
                line("one more Module on a settled cluster: Ready %.2f s after its creation", secs(t));
            }
            requests("  operator requests", "floor: " + KERNELS + " DaemonSet creates + status writes");

            // 3. Steady state: kwok heartbeats node status and renews node Leases. It starts once the operator is
            // quiet: a Module still Progressing (with the controllers off, always) looks once more after
            // kmm.status-progress-interval (10 s) and stops looking when nothing changed.
            Thread.sleep(3000);
            double quietAfter = awaitQuiet(operator, Duration.ofSeconds(12));
            audit.take();
            double reconcilesBefore = ScaleBenchmark.reconciles(operator);
            Instant from = Instant.now();
            Thread.sleep(STEADY_SECONDS * 1000L);
            Map<String, Long> steady = writes(audit.take());
            long heartbeats = audit.countSince(from, "\"nodes\"", "\"status\"")
                    + audit.countSince(from, "\"leases\"", "kube-node-lease");
            line("steady state: %d s from %.1f s after the last Module's DaemonSets (when its reconciles had stopped "
                    + "for 12 s), %d kwok node heartbeats and lease renewals: %d reconciles; operator writes: %s",
                    STEADY_SECONDS, quietAfter + 3, heartbeats,
                    (long) (ScaleBenchmark.reconciles(operator) - reconcilesBefore), steady.isEmpty() ? "none" : steady);

            // 4. Fleet-wide kernel upgrade: every kubelet reports a new kernel (a status update).
            t = System.nanoTime();
            int resent = upgradeKernels(cluster, NODES, i -> ScaleBenchmark.kernel(i % KERNELS, 2));
            line("upgrade: %d node status updates sent in %.1f s (%d sent again after kwok's heartbeat put the old "
                    + "kernel back)", NODES, secs(t), resent);
            await(() -> labelled(2) == NODES);
            line("upgrade: all %d nodes relabelled %.2f s after the first new kernel was reported", NODES, secs(t));
            await(this::upgraded);
            line("upgrade: loader DaemonSets converged (new created, old deleted) after %.2f s", secs(t));
            await(() -> statusesCurrent(2, MODULES + 1));
            line("upgrade: every Module's status current after %.2f s", secs(t));
            if (CONTROLLERS) {
                await(() -> allReady(MODULES + 1));
                line("upgrade: every Module Ready again after %.2f s", secs(t));
            }
            requests("  operator requests", "floor: " + NODES + " node patches + " + 2 * (MODULES + 1) * KERNELS
                    + " DaemonSet creates/deletes + status writes");

            // 5. The operator's memory.
            long used = operator.usedHeapAfterGcBytes();
            line("memory: operator heap after a full GC: %d MiB live objects (class histogram), %d MiB used by the "
                    + "collector; RSS %d MiB", operator.liveHeapBytes() >> 20, used >> 20,
                    operator.rssKib() >> 10);
        } finally {
            informer.close();
        }
        System.out.println("\n" + report);
    }

    private void createModule(String name) {
        createdAt.put(name, System.nanoTime());
        Module m = TestModules.module(NS, name, Map.of("pool", "bench"),
                TestModules.regexp("-bench$", "registry.example.com/" + name + ":${KERNEL_FULL_VERSION}"));
        m.getMetadata().setUid(null);
        m.getMetadata().setGeneration(null);
        client.resource(m).create();
    }

    private long labelled(int generation) {
        return client.nodes().withLabel("pool", "bench").list().getItems().stream().map(Node::getMetadata)
                .filter(meta -> meta.getLabels().getOrDefault(Labels.KERNEL_VERSION, "").startsWith("6." + generation
                        + "."))
                .count();
    }

    private boolean upgraded() {
        List<DaemonSet> ds = client.apps().daemonSets().inNamespace(NS).withLabel(Labels.ROLE,
                Labels.ROLE_MODULE_LOADER).list().getItems();
        return ds.size() == (MODULES + 1) * KERNELS && ds.stream().allMatch(d -> d.getMetadata().getLabels()
                .getOrDefault(Labels.KERNEL_VERSION, "").startsWith("6.2."));
    }

    private boolean statusesCurrent(int generation, int modules) {
        List<Module> all = client.resources(Module.class).inNamespace(NS).list().getItems();
        return all.size() == modules && all.stream().allMatch(m -> m.getStatus() != null
                && Integer.valueOf(NODES).equals(m.getStatus().getTargetedNodes())
                && m.getStatus().getKernels().size() == KERNELS
                && m.getStatus().getKernels().stream().allMatch(k -> k.getKernel().startsWith("6." + generation + ".")
                        && k.getDaemonSet() != null));
    }

    private boolean allReady(int modules) {
        List<Module> all = client.resources(Module.class).inNamespace(NS).list().getItems();
        return all.size() == modules && all.stream().allMatch(m -> m.getStatus() != null
                && Conditions.find(m.getStatus().getConditions(), Conditions.READY)
                        .map(c -> "True".equals(c.getStatus())).orElse(false));
    }

    private void requests(String label, String floor) throws IOException {
        Map<String, Long> writes = writes(audit.take());
        long total = writes.values().stream().mapToLong(Long::longValue).sum();
        line("%s: %d writes %s (%s)", label, total, writes, floor);
    }

    /** The operator's writes by verb and resource, its own leader-election Lease aside. */
    private static Map<String, Long> writes(List<JsonNode> entries) {
        return writes(entries, Installation.USER);
    }

    /** The writes of a user's requests by verb and resource, leases in its own namespace aside. */
    static Map<String, Long> writes(List<JsonNode> entries, String user) {
        String ownNamespace = user.split(":").length == 4 ? user.split(":")[2] : "";
        Map<String, Long> writes = new TreeMap<>();
        for (JsonNode e : entries) {
            String verb = e.path("verb").asText();
            JsonNode ref = e.path("objectRef");
            String resource = ref.path("resource").asText() + (ref.has("subresource") ? "/" + ref.path("subresource")
                    .asText() : "");
            if (List.of("create", "update", "patch", "delete").contains(verb)
                    && !(resource.equals("leases") && ref.path("namespace").asText().equals(ownNamespace))) {
                writes.merge(verb + " " + resource, 1L, Long::sum);
            }
        }
        return writes;
    }

    static void parallel(int count, IntConsumer task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit(() -> task.accept(index)));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    /**
     * A fleet-wide kernel upgrade of nodes {@code bench-0} to {@code bench-(count-1)}: each node's new kernel as its
     * kubelet would report it, sent again wherever kwok put the old one back. kwok (the simulated kubelet) writes
     * node status from its own cache of the node; a write it computed before that cache saw the new kernel puts the
     * old {@code nodeInfo.kernelVersion} back (seen on 137 and 172 of 5,000 nodes on a loaded machine, none at 1,000).
     * A real kubelet owns its node's status and never does this. Both operators follow the revert (their labels and
     * loaders go back to the old kernel) and then the kernel sent again, so the phase's writes include that.
     *
     * @return how many kernels were sent again
     */
    static int upgradeKernels(LocalCluster cluster, int count, java.util.function.IntFunction<String> kernel)
            throws Exception {
        parallel(count, i -> cluster.setKernel("bench-" + i, kernel.apply(i)));
        int resent = 0;
        for (int round = 1; round <= 20; round++) {
            Thread.sleep(5000); // longer than kwok takes to send a heartbeat computed from a stale node
            Map<String, String> reported = reportedKernels(cluster);
            if (reported == null) {
                continue; // the loaded API server did not answer in time: look again next round
            }
            List<Integer> reverted = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                if (!kernel.apply(i).equals(reported.get("bench-" + i))) {
                    reverted.add(i);
                }
            }
            if (reverted.isEmpty()) {
                return resent;
            }
            resent += reverted.size();
            parallel(reverted.size(), j -> cluster.setKernel("bench-" + reverted.get(j),
                    kernel.apply(reverted.get(j))));
        }
        throw new IllegalStateException("kwok kept reverting node kernels after 20 rounds");
    }

    /** Every node's reported kernel, listed in pages of 200; null when a page did not come in time. */
    private static Map<String, String> reportedKernels(LocalCluster cluster) {
        Map<String, String> reported = new java.util.HashMap<>();
        String next = null;
        try {
            do {
                var page = cluster.admin().nodes().list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder()
                        .withLimit(200L).withContinue(next).build());
                page.getItems().forEach(n -> reported.put(n.getMetadata().getName(),
                        n.getStatus().getNodeInfo().getKernelVersion()));
                next = page.getMetadata().getContinue();
            } while (next != null && !next.isEmpty());
            return reported;
        } catch (io.fabric8.kubernetes.client.KubernetesClientException slow) {
            System.out.println("[bench] listing the nodes' kernels failed, looking again: " + slow.getMessage());
            return null;
        }
    }

    /** Waits until the operator's Module reconciles stop for {@code quiet} (two minutes at most); seconds waited. */
    static double awaitQuiet(OperatorProcess operator, Duration quiet) throws Exception {
        long start = System.nanoTime();
        long lastChange = start;
        double last = ScaleBenchmark.reconciles(operator);
        while (System.nanoTime() - lastChange < quiet.toNanos() && secs(start) < 120) {
            Thread.sleep(1000);
            double now = ScaleBenchmark.reconciles(operator);
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            }
        }
        return secs(start);
    }

    static void await(java.util.function.BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("did not converge within " + CONVERGE);
            }
            Thread.sleep(100);
        }
    }

    private void line(String format, Object... args) {
        String text = String.format(format, args);
        report.append(text).append('\n');
        System.out.println("[bench] " + text);
    }

    private static double secs(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Reads the audit log as it grows: the operator's completed requests since the last {@link #take()}, and counts of
     * other lines. Lines are only parsed when they are the operator's, so that a log of many heartbeats stays cheap.
     */
    static final class AuditTail {
        private final Path log;
        private final String user;
        private long offset;
        private final List<String> others = new ArrayList<>();

        /** @param user whose requests {@link #take()} returns */
        AuditTail(Path log, String user) {
            this.log = log;
            this.user = "\"username\":\"" + user + "\"";
        }

        synchronized List<JsonNode> take() throws IOException {
            List<JsonNode> operator = new ArrayList<>();
            others.clear();
            try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
                file.seek(offset);
                byte[] rest = new byte[(int) Math.min(Integer.MAX_VALUE - 8, file.length() - offset)];
                file.readFully(rest);
                String text = new String(rest, StandardCharsets.UTF_8);
                int end = text.lastIndexOf('\n') + 1; // a partial last line waits for the next call
                offset += text.substring(0, end).getBytes(StandardCharsets.UTF_8).length;
                for (String line : text.substring(0, end).split("\n")) {
                    if (!line.contains("\"ResponseComplete\"")) {
                        continue;
                    }
                    if (line.contains(user)) {
                        operator.add(JSON.readTree(line));
                    } else {
                        others.add(line);
                    }
                }
            }
            return operator;
        }

        /** Lines of other users read by the last take() that contain every fragment and are not older than from. */
        synchronized long countSince(Instant from, String... fragments) throws IOException {
            long n = 0;
            for (String line : others) {
                boolean all = true;
                for (String f : fragments) {
                    all &= line.contains(f);
                }
                if (all && (line.contains("\"verb\":\"update\"") || line.contains("\"verb\":\"patch\""))
                        && !Instant.parse(JSON.readTree(line).path("stageTimestamp").asText()).isBefore(from)) {
                    n++;
                }
            }
            return n;
        }
    }
}
