package io.kmm.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kmm.TestModules;
import io.kmm.api.v1alpha1.Modprobe;
import io.kmm.api.v1alpha1.Module;
import io.kmm.e2e.Installation;
import io.kmm.e2e.LocalCluster;
import io.kmm.meta.Labels;
import io.kmm.process.Commands;
import io.kmm.process.OperatorProcess;

/**
 * This operator against the reference operator, upstream KMM (its manager at v1.1.0, the last release with one loader
 * DaemonSet per kernel: {@code dev/peer-kmm}), on the same workload: each runs alone on a fresh local control plane
 * ({@code dev/local-cluster}, kwok nodes, DaemonSet controller and scheduler on), out of cluster as its own
 * ServiceAccount with its own shipped ClusterRole, through the same phases: N nodes over K kernels registered and
 * labelled, M Modules matching every kernel rolled out, one more Module, a steady state with kwok's heartbeats, a
 * fleet-wide kernel upgrade. Per phase and operator: writes by verb and resource and reads (the API server's audit log,
 * by user), CPU seconds and RSS (from /proc), time to all loader DaemonSets and to all their pods Ready (from the
 * DaemonSets' own status, the same test for both). Prints one table: phase, figure, this operator, upstream, ratio.
 * Asserts only that both converge.
 *
 * <p>{@code ./mvnw -q exec:java@peer-benchmark -Dbench.nodes=1000 -Dbench.kernels=20 -Dbench.modules=2}; without
 * properties 50 nodes, 5 kernels, 2 Modules, 5 s of steady state (what CI runs).
 */
public final class PeerBenchmark {

    static final int NODES = Integer.getInteger("bench.nodes", 50);
    static final int KERNELS = Integer.getInteger("bench.kernels", 5);
    static final int MODULES = Integer.getInteger("bench.modules", 2);
    static final int STEADY_SECONDS = Integer.getInteger("bench.steady-seconds", 5);
    static final String HEARTBEAT_MS = System.getProperty("bench.heartbeat-ms", "20000");
    /**
     * The controller-manager's node monitor grace period (dev/local-cluster's 3m by default): at 5,000 nodes on two
     * cores kwok's Lease renewals fall further behind, and a node marked unreachable has its pods set Ready=False for
     * good (kwok never sets them back), so the phase never converges. (Each wait, ClusterBenchmark.await, gives up
     * after -Dbench.timeout-minutes, 20 by default.)
     */
    static final String NODE_GRACE = System.getProperty("bench.node-monitor-grace", "3m");
    /**
     * The JVM as the shipped Deployment runs it: its container's memory limit (768 MiB) and CPU limit (1), which the
     * JVM would read from its cgroup, and the JVM options the image passes (application.properties); then
     * {@code bench.jvm-extra} (e.g. a flight recording), which keeps the image's environment as {@code bench.heap}
     * does not.
     */
    static final String HEAP = System.getProperty("bench.heap", "-XX:MaxRAM=768m -XX:ActiveProcessorCount=1 "
            + String.join(" ", shippedJvmOptions())) + " " + System.getProperty("bench.jvm-extra", "");
    /**
     * The native executable's options: the same heap cap as the JVM's (the stand-in toolchain's executables do not
     * read cgroup limits, docs/install.md#native-executable).
     */
    static final String NATIVE_HEAP = System.getProperty("bench.native-heap", "-Xmx384m");
    /** dev/native-build's executable: when set, it runs as a third operator ("native"). */
    static final String NATIVE = System.getProperty("bench.native", "");
    static final List<String> ONLY = List.of(System.getProperty("bench.only", "ours,native,upstream").split(","));
    static final String NS = "bench";
    static final String[] PHASES = {"start-up", "nodes", "rollout", "one more", "steady", "upgrade"};

    /** What is measured of one operator in one phase. */
    record Phase(Map<String, Long> writes, long reads, double cpuSeconds, long rssPeakKib, long rssEndKib,
            Double daemonSetsSeconds, Double readySeconds) {
        long totalWrites() {
            return writes.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** One of the two operators: how it is installed and started, and how its objects are recognised. */
    interface Peer {
        String name();

        /** The audit log's user of its requests. */
        String user();

        /** Installs it and starts it; returns its process id. */
        long start(LocalCluster cluster) throws Exception;

        void stop() throws Exception;

        void createModule(KubernetesClient client, String name);

        /** The node label it writes with each node's kernel. */
        String nodeKernelLabel();

        /** The label of its loader DaemonSets that says role=module-loader, and the one with their kernel. */
        String roleLabel();

        String kernelLabelOnDaemonSets();
    }

    /** {@code quarkus.jib.jvm-additional-arguments}: what the operator image's {@code java} command adds. */
    static List<String> shippedJvmOptions() {
        return io.kmm.ShippedSettings.jvmOptions();
    }

    /**
     * The environment the operator image sets (the Deployment sets the same, see ShippedJvmSettingsTest);
     * {@code -Dbench.heap=} replaces it with nothing.
     */
    static Map<String, String> shippedEnvironment() {
        return System.getProperty("bench.heap") != null ? Map.of() : io.kmm.ShippedSettings.environment();
    }

    public static void main(String[] args) {
        int exit = 0;
        try {
            Map<String, List<Phase>> results = new LinkedHashMap<>();
            if (ONLY.contains("ours")) {
                results.put("this operator", run(new Ours()));
                printSoFar(results);
            }
            if (ONLY.contains("native") && !NATIVE.isBlank()) {
                results.put("this operator, native", run(new Ours(Path.of(NATIVE).toAbsolutePath().toString())));
                printSoFar(results);
            }
            if (ONLY.contains("upstream")) {
                results.put("upstream " + Upstream.version(), run(new Upstream()));
            }
            System.out.println("\n" + table(results));
        } catch (Throwable e) {
            e.printStackTrace();
            exit = 1;
        }
        System.exit(exit); // the client leaves non-daemon threads behind
    }

    static List<Phase> run(Peer peer) throws Exception {
        LocalCluster cluster = LocalCluster.start(Path.of("target", "peer-bench", peer.name()).toAbsolutePath(),
                Map.of("KMM_KWOK_HEARTBEAT_MS", HEARTBEAT_MS, "KMM_NODE_MONITOR_GRACE_PERIOD", NODE_GRACE));
        try {
            return new Run(peer, cluster).phases();
        } finally {
            try {
                peer.stop();
            } finally {
                cluster.down();
            }
        }
    }

    /** One operator's run through the phases. */
    static final class Run {
        private final Peer peer;
        private final LocalCluster cluster;
        private final KubernetesClient client;
        private final ClusterBenchmark.AuditTail audit;
        private long pid;
        private double cpuMark;
        private final AtomicLong rssPeak = new AtomicLong();

        Run(Peer peer, LocalCluster cluster) {
            this.peer = peer;
            this.cluster = cluster;
            this.client = cluster.admin();
            this.audit = new ClusterBenchmark.AuditTail(cluster.auditLog(), peer.user());
        }

        List<Phase> phases() throws Exception {
            log("%s: %d kwok nodes, %d kernels, %d Modules, Kubernetes %s", peer.name(), NODES, KERNELS, MODULES,
                    client.getKubernetesVersion().getGitVersion());
            cluster.kubectlOk("create", "namespace", NS);
            audit.take();
            pid = peer.start(cluster); // (CPU from 0: a new process)
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    rssPeak.accumulateAndGet(rssKib(), Math::max);
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "rss-sampler");
            sampler.setDaemon(true);
            sampler.start();
            try {
                Thread.sleep(2000);
                List<Phase> phases = new ArrayList<>();
                phases.add(phase(null, null)); // from its start to ready, and 2 s more

                // 1. Nodes register and are labelled with their kernels.
                long t = System.nanoTime();
                ClusterBenchmark.parallel(NODES, i -> cluster.addNode("bench-" + i,
                        ScaleBenchmark.kernel(i % KERNELS, 1), Map.of("pool", "bench")));
                ClusterBenchmark.await(() -> labelled(1) == NODES);
                log("nodes labelled after %.1f s", secs(t));
                phases.add(phase(null, null));

                // 2. M Modules roll out to every node.
                t = System.nanoTime();
                for (int m = 0; m < MODULES; m++) {
                    peer.createModule(client, "mod-" + m);
                }
                ClusterBenchmark.await(() -> loaders(1).size() == MODULES * KERNELS);
                double ds = secs(t);
                ClusterBenchmark.await(() -> allReady(MODULES, 1));
                double ready = secs(t);
                log("rollout: DaemonSets %.2f s, Ready %.2f s", ds, ready);
                Thread.sleep(3000); // what the operator still does once the pods are Ready belongs to the rollout
                phases.add(phase(ds, ready));

                // 3. One more Module on the settled cluster.
                t = System.nanoTime();
                peer.createModule(client, "single");
                ClusterBenchmark.await(() -> loaders(1).size() == (MODULES + 1) * KERNELS);
                ds = secs(t);
                ClusterBenchmark.await(() -> allReady(MODULES + 1, 1));
                ready = secs(t);
                log("one more Module: DaemonSets %.2f s, Ready %.2f s", ds, ready);
                Thread.sleep(3000);
                phases.add(phase(ds, ready));

                // 4. Steady state: kwok heartbeats node status and renews node Leases.
                Thread.sleep(STEADY_SECONDS * 1000L);
                phases.add(phase(null, null));

                // 5. Fleet-wide kernel upgrade.
                t = System.nanoTime();
                int resent = ClusterBenchmark.upgradeKernels(cluster, NODES, i -> ScaleBenchmark.kernel(i % KERNELS, 2));
                log("upgrade: %d kernels sent again after kwok's heartbeat put the old kernel back", resent);
                ClusterBenchmark.await(() -> labelled(2) == NODES);
                ClusterBenchmark.await(() -> loaders(2).size() == (MODULES + 1) * KERNELS
                        && loaders(1).isEmpty());
                ds = secs(t);
                ClusterBenchmark.await(() -> allReady(MODULES + 1, 2));
                ready = secs(t);
                log("upgrade: DaemonSets %.2f s, Ready %.2f s", ds, ready);
                Thread.sleep(3000);
                phases.add(phase(ds, ready));
                log("%s: CPU by thread over the run (s): %s", peer.name(), threadCpu());
                return phases;
            } finally {
                sampler.interrupt();
            }
        }

        /** The phase that ends now: requests since the last mark, CPU since it, RSS peak since it and now. */
        private Phase phase(Double ds, Double ready) throws IOException {
            List<JsonNode> requests = audit.take();
            Map<String, Long> writes = ClusterBenchmark.writes(requests, peer.user());
            long reads = requests.stream().filter(e -> List.of("get", "list", "watch")
                    .contains(e.path("verb").asText())).count();
            double cpu = cpuSeconds() - cpuMark;
            long rss = rssKib();
            Phase p = new Phase(writes, reads, cpu, Math.max(rssPeak.get(), rss), rss, ds, ready);
            mark();
            return p;
        }

        private void mark() throws IOException {
            audit.take();
            cpuMark = cpuSeconds();
            rssPeak.set(rssKib());
        }

        /**
         * CPU seconds of the process's threads that are alive, grouped by name with numbers folded (the JVM's
         * compiler and GC threads apart from the client's event loops and the reconcilers): where the CPU goes
         * that a Java profiler's samples do not show. The largest groups first.
         */
        private String threadCpu() {
            Map<String, Double> groups = new java.util.HashMap<>();
            try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                                .replaceAll("[0-9]+", "N");
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        groups.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0, Double::sum);
                    } catch (IOException | RuntimeException e) {
                        // the thread ended meanwhile
                    }
                }
            } catch (IOException e) {
                return "unavailable: " + e.getMessage();
            }
            return groups.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .limit(12).map(e -> String.format("%s %.1f", e.getKey(), e.getValue()))
                    .collect(java.util.stream.Collectors.joining(", "));
        }

        /** utime + stime of the operator's process, in seconds (clock ticks of 10 ms, as Linux reports them). */
        private double cpuSeconds() throws IOException {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        }

        private long rssKib() {
            try {
                return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                        .filter(l -> l.startsWith("VmRSS:")).map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                        .findFirst().orElse(0L);
            } catch (IOException e) {
                return 0;
            }
        }

        private long labelled(int generation) {
            return client.nodes().withLabel("pool", "bench").list().getItems().stream().map(Node::getMetadata)
                    .filter(m -> m.getLabels().getOrDefault(peer.nodeKernelLabel(), "")
                            .startsWith("6." + generation + "."))
                    .count();
        }

        /** The loader DaemonSets of the kernels of one generation. */
        private List<DaemonSet> loaders(int generation) {
            return client.apps().daemonSets().inNamespace(NS).withLabel(peer.roleLabel(), "module-loader").list()
                    .getItems().stream().filter(d -> d.getMetadata().getLabels()
                            .getOrDefault(peer.kernelLabelOnDaemonSets(), "").startsWith("6." + generation + "."))
                    .toList();
        }

        /** Every loader DaemonSet of the generation has all its pods Ready (and has seen its latest spec). */
        private boolean allReady(int modules, int generation) {
            List<DaemonSet> all = loaders(generation);
            if (all.size() != modules * KERNELS) {
                return false;
            }
            int nodes = 0;
            for (DaemonSet d : all) {
                var s = d.getStatus();
                if (s == null || s.getObservedGeneration() == null
                        || !s.getObservedGeneration().equals(d.getMetadata().getGeneration())
                        || s.getNumberReady() == null || !s.getNumberReady().equals(s.getDesiredNumberScheduled())) {
                    return false;
                }
                nodes += s.getNumberReady();
            }
            return nodes == modules * NODES;
        }

        private void log(String format, Object... args) {
            System.out.println("[peer-bench] " + String.format(format, args));
        }
    }

    static double secs(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /** This operator: the packaged jar with the shipped heap, as its ServiceAccount ({@code kubernetes/}). */
    static final class Ours implements Peer {
        private final String nativeExecutable;
        private OperatorProcess process;

        /** The jar, with {@link #HEAP}. */
        Ours() {
            this(null);
        }

        /** The native executable of dev/native-build instead (bench.native), with {@link #NATIVE_HEAP}. */
        Ours(String nativeExecutable) {
            this.nativeExecutable = nativeExecutable;
        }

        @Override
        public String name() {
            return nativeExecutable == null ? "ours" : "native";
        }

        @Override
        public String user() {
            return Installation.USER;
        }

        @Override
        public long start(LocalCluster cluster) throws Exception {
            Installation installation = Installation.install(cluster);
            if (nativeExecutable == null) {
                System.clearProperty("kmm.operator.native");
            } else {
                System.setProperty("kmm.operator.native", nativeExecutable);
            }
            process = installation.launchOperator(List.of((nativeExecutable == null ? HEAP : NATIVE_HEAP).trim()
                    .split("\\s+")), Map.of("kmm.leader-election.enabled", "false"),
                    nativeExecutable == null ? shippedEnvironment() : Map.of());
            process.awaitReady(Duration.ofSeconds(120));
            return process.pid();
        }

        @Override
        public void stop() throws Exception {
            if (process != null) {
                process.close();
            }
        }

        @Override
        public void createModule(KubernetesClient client, String name) {
            Module m = TestModules.module(NS, name, Map.of("pool", "bench"),
                    TestModules.regexp("-bench$", "registry.example.com/" + name + ":${KERNEL_FULL_VERSION}"));
            m.getMetadata().setUid(null);
            m.getMetadata().setGeneration(null);
            m.getSpec().setModuleLoader(new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("loader")
                    .withImage("unused").build());
            Modprobe modprobe = new Modprobe();
            modprobe.setModuleName(name.replace('-', '_'));
            m.getSpec().setModprobe(modprobe);
            client.resource(m).create();
        }

        @Override
        public String nodeKernelLabel() {
            return Labels.KERNEL_VERSION;
        }

        @Override
        public String roleLabel() {
            return Labels.ROLE;
        }

        @Override
        public String kernelLabelOnDaemonSets() {
            return Labels.KERNEL_VERSION;
        }
    }

    /**
     * Upstream KMM's manager ({@code dev/peer-kmm}): its CRDs and ClusterRole applied, a ServiceAccount bound to the
     * role, the binary run with a kubeconfig of that account's token, leader election off, its webhook server given a
     * throw-away certificate (no webhook is registered with the API server).
     */
    static final class Upstream implements Peer {
        static final String NAMESPACE = "kmm-operator-system";
        static final String ACCOUNT = "kmm-operator-controller-manager";
        private Process process;

        static String version() throws Exception {
            return paths().get("VERSION");
        }

        static Map<String, String> paths() throws Exception {
            Map<String, String> paths = new TreeMap<>();
            for (String line : Commands.ok(Duration.ofMinutes(15), "dev/peer-kmm", "paths").lines().toList()) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    paths.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return paths;
        }

        @Override
        public String name() {
            return "upstream";
        }

        @Override
        public String user() {
            return "system:serviceaccount:" + NAMESPACE + ":" + ACCOUNT;
        }

        @Override
        public long start(LocalCluster cluster) throws Exception {
            Map<String, String> paths = paths();
            for (Path crd : Files.list(Path.of(paths.get("CRDS"))).sorted().toList()) {
                cluster.kubectlOk("create", "-f", crd.toString());
            }
            cluster.kubectlOk("apply", "-f", paths.get("ROLE"));
            cluster.kubectlOk("create", "namespace", NAMESPACE);
            cluster.kubectlOk("-n", NAMESPACE, "create", "serviceaccount", ACCOUNT);
            cluster.kubectlOk("create", "clusterrolebinding", "kmm-operator-manager-rolebinding",
                    "--clusterrole=manager-role", "--serviceaccount=" + NAMESPACE + ":" + ACCOUNT);
            cluster.kubectlOk("wait", "--for=condition=Established", "crd/modules.kmm.sigs.x-k8s.io");
            String token = cluster.kubectlOk("-n", NAMESPACE, "create", "token", ACCOUNT, "--duration=4h").strip();

            Path dir = Files.createDirectories(Path.of("target", "peer-bench", "upstream-run").toAbsolutePath());
            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, String.join("\n", "apiVersion: v1", "kind: Config", "clusters:",
                    "- name: local", "  cluster:", "    server: " + cluster.url(),
                    "    certificate-authority: " + cluster.caCertificate(), "users:", "- name: manager", "  user:",
                    "    token: " + token, "contexts:", "- name: manager", "  context: {cluster: local, user: manager}",
                    "current-context: manager", ""));
            int health = freePort();
            int metrics = freePort();
            int webhook = freePort();
            Path config = dir.resolve("config.yaml");
            Files.writeString(config, String.join("\n", "healthProbeBindAddress: 127.0.0.1:" + health,
                    "metricsBindAddress: 127.0.0.1:" + metrics, "webhookPort: " + webhook, "leaderElection:",
                    "  enabled: false", "  resourceID: kmm.sigs.x-k8s.io", ""));
            // controller-runtime's webhook server reads its certificate from $TMPDIR/k8s-webhook-server/serving-certs
            Path certs = Files.createDirectories(dir.resolve("tmp/k8s-webhook-server/serving-certs"));
            Commands.ok(Duration.ofMinutes(1), "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                    "1", "-subj", "/CN=localhost", "-keyout", certs.resolve("tls.key").toString(), "-out",
                    certs.resolve("tls.crt").toString());
            ProcessBuilder pb = new ProcessBuilder(paths.get("MANAGER"), "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("manager.log").toFile());
            pb.environment().put("KUBECONFIG", kubeconfig.toString());
            pb.environment().put("OPERATOR_NAMESPACE", NAMESPACE);
            pb.environment().put("TMPDIR", dir.resolve("tmp").toString());
            process = pb.start();
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("upstream KMM's manager exited: see " + dir.resolve("manager.log"));
                }
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health + "/readyz")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        break;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("upstream KMM's manager did not become ready");
                }
                Thread.sleep(200);
            }
            return process.pid();
        }

        @Override
        public void stop() throws Exception {
            if (process != null) {
                process.destroy();
                process.waitFor();
            }
        }

        @Override
        public void createModule(KubernetesClient client, String name) {
            Map<String, Object> mapping = Map.of("regexp", "-bench$", "containerImage",
                    "registry.example.com/" + name + ":${KERNEL_FULL_VERSION}");
            Map<String, Object> spec = Map.of("selector", Map.of("pool", "bench"), "moduleLoader", Map.of(
                    "container", Map.of("modprobe", Map.of("moduleName", name.replace('-', '_')),
                            "kernelMappings", List.of(mapping))));
            GenericKubernetesResource m = new GenericKubernetesResource();
            m.setApiVersion("kmm.sigs.x-k8s.io/v1beta1");
            m.setKind("Module");
            m.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(NS)
                    .build());
            m.setAdditionalProperties(new LinkedHashMap<>(Map.of("spec", spec)));
            client.genericKubernetesResources("kmm.sigs.x-k8s.io/v1beta1", "Module").inNamespace(NS).resource(m)
                    .create();
        }

        @Override
        public String nodeKernelLabel() {
            return "kmm.node.kubernetes.io/kernel-version.full";
        }

        @Override
        public String roleLabel() {
            return "kmm.node.kubernetes.io/role";
        }

        @Override
        public String kernelLabelOnDaemonSets() {
            return "kmm.node.kubernetes.io/kernel-version.full";
        }

        private static int freePort() throws IOException {
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
        }
    }

    /**
     * The figures of the operators run so far, each alone: a long run (5,000 nodes, over an hour for all three) keeps
     * what it measured if a later operator fails to converge.
     */
    static void printSoFar(Map<String, List<Phase>> results) {
        System.out.println("\n[peer-bench] so far:\n" + table(results));
    }

    /** One table: per phase, each figure for each operator and the ratio of the first to the second. */
    static String table(Map<String, List<Phase>> results) {
        List<String> names = new ArrayList<>(results.keySet());
        StringBuilder t = new StringBuilder();
        t.append(String.format("Peer benchmark: %d kwok nodes, %d kernels, %d Modules (+1), %d s steady state; this "
                + "operator's JVM options: %s (and the jar's defaults), environment: %s; native: %s%n%n", NODES,
                KERNELS, MODULES, STEADY_SECONDS, HEAP, shippedEnvironment(), NATIVE.isBlank() ? "not run"
                        : NATIVE_HEAP));
        int ratios = ratioColumns(names);
        t.append("| phase | figure | ").append(String.join(" | ", names)).append(" |");
        for (int i = 0; i < ratios; i++) {
            t.append(' ').append(names.get(i)).append(" / upstream |");
        }
        t.append('\n');
        t.append("|---|---|").append("---|".repeat(names.size() + ratios)).append('\n');
        for (int i = 0; i < PHASES.length; i++) {
            int p = i;
            List<Phase> of = names.stream().map(n -> results.get(n).get(p)).toList();
            row(t, ratios, PHASES[i], "operator CPU (s)", of, ph -> ph.cpuSeconds(), "%.2f");
            row(t, ratios, "", "RSS peak / end (MiB)", of, ph -> (double) ph.rssPeakKib() / 1024, "%.0f",
                    ph -> String.format("%.0f / %.0f", ph.rssPeakKib() / 1024.0, ph.rssEndKib() / 1024.0));
            row(t, ratios, "", "writes", of, ph -> (double) ph.totalWrites(), "%.0f");
            TreeSet<String> kinds = new TreeSet<>();
            of.forEach(ph -> kinds.addAll(ph.writes().keySet()));
            for (String kind : kinds) {
                row(t, ratios, "", "&nbsp;&nbsp;" + kind, of, ph -> (double) ph.writes().getOrDefault(kind, 0L), "%.0f");
            }
            row(t, ratios, "", "reads (get, list, watch)", of, ph -> (double) ph.reads(), "%.0f");
            if (of.get(0).daemonSetsSeconds() != null) {
                row(t, ratios, "", "all loader DaemonSets (s)", of, Phase::daemonSetsSeconds, "%.2f");
                row(t, ratios, "", "all loader pods Ready (s)", of, Phase::readySeconds, "%.2f");
            }
        }
        double[] totals = new double[names.size()];
        for (int n = 0; n < names.size(); n++) {
            totals[n] = results.get(names.get(n)).stream().mapToDouble(Phase::cpuSeconds).sum();
        }
        t.append("| whole run | operator CPU (s) | ");
        for (double v : totals) {
            t.append(String.format("%.1f | ", v));
        }
        for (int i = 0; i < ratios; i++) {
            t.append(ratio(totals[i], totals[names.size() - 1])).append(" | ");
        }
        t.append('\n');
        return t.toString();
    }

    /** Each operator's figures are divided by upstream's, when upstream ran (it is the last column). */
    private static int ratioColumns(List<String> names) {
        return names.size() >= 2 && names.get(names.size() - 1).startsWith("upstream") ? names.size() - 1 : 0;
    }

    private static void row(StringBuilder t, int ratios, String phase, String figure, List<Phase> of,
            java.util.function.Function<Phase, Double> value, String format) {
        row(t, ratios, phase, figure, of, value, format, ph -> String.format(format, value.apply(ph)));
    }

    private static void row(StringBuilder t, int ratios, String phase, String figure, List<Phase> of,
            java.util.function.Function<Phase, Double> value, String format,
            java.util.function.Function<Phase, String> text) {
        t.append("| ").append(phase).append(" | ").append(figure).append(" | ");
        for (Phase ph : of) {
            t.append(text.apply(ph)).append(" | ");
        }
        for (int i = 0; i < ratios; i++) {
            t.append(ratio(value.apply(of.get(i)), value.apply(of.get(of.size() - 1)))).append(" | ");
        }
        t.append('\n');
    }

    static String ratio(double ours, double theirs) {
        if (theirs == 0) {
            return ours == 0 ? "=" : "∞";
        }
        return String.format("%.2f×", ours / theirs);
    }
}
