package io.kmm.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kmm.TestModules;
import io.kmm.meta.Labels;
import io.kmm.process.OperatorProcess;

/**
 * The scale benchmark (docs/performance.md): the packaged operator as its own process, with the heap of the shipped
 * Deployment, against {@link IndexedApiServer} in this JVM. Loads N nodes over K kernels, creates M Modules whose
 * mappings match every kernel, and prints per phase the time to converge and the requests the operator sent, by verb
 * and resource, next to the floor; then a steady state with node heartbeats, a fleet-wide kernel upgrade, and the
 * operator's heap after a full GC and RSS, then again with forged large Jobs and DaemonSets carrying its labels.
 * Prints figures, asserts only that everything converges.
 *
 * <p>{@code ./mvnw -q exec:java@scale-benchmark -Dbench.nodes=5000 -Dbench.kernels=20 -Dbench.modules=100
 * -Dbench.steady-seconds=60 -Dbench.hostile-objects=1000}; without properties 50 nodes, 5 kernels, 2 Modules, 3 s,
 * 20 forged objects (what CI runs).
 */
public final class ScaleBenchmark {

    static final int NODES = Integer.getInteger("bench.nodes", 50);
    static final int KERNELS = Integer.getInteger("bench.kernels", 5);
    static final int MODULES = Integer.getInteger("bench.modules", 2);
    static final int STEADY_SECONDS = Integer.getInteger("bench.steady-seconds", 3);
    static final Duration CONVERGE = Duration.ofMinutes(Long.getLong("bench.timeout-minutes", 10));
    static final String HEAP = System.getProperty("bench.heap", "-Xmx384m");
    /** Forged Jobs and as many DaemonSets with the operator's labels in a tenant's namespace (phase 6). */
    static final int HOSTILE = Integer.getInteger("bench.hostile-objects", 20);
    static final String NS = "bench";
    static final String OPERATOR_AGENT = "kmm-operator";
    static final ObjectMapper JSON = new ObjectMapper();

    private final StringBuilder report = new StringBuilder();
    private final IndexedApiServer api;
    private final KubernetesClient client;
    private Map<String, Long> lastCounts = Map.of();

    private ScaleBenchmark(IndexedApiServer api) {
        this.api = api;
        this.client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(api.url())
                .withUserAgent("kmm-bench").withNamespace(NS).build()).build();
    }

    public static void main(String[] args) {
        int exit = 0;
        try (IndexedApiServer api = new IndexedApiServer()) {
            new ScaleBenchmark(api).run();
        } catch (Throwable e) {
            e.printStackTrace();
            exit = 1;
        }
        System.exit(exit); // Vert.x and the client leave non-daemon threads behind
    }

    static String kernel(int k, int generation) {
        return "6." + generation + "." + k + "-bench";
    }

    private void run() throws Exception {
        line("KMM scale benchmark: %d nodes, %d kernels, %d Modules; operator %s (%s), %d cores", NODES, KERNELS,
                MODULES, HEAP, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        for (String file : new String[] { "modules", "preflightvalidations" }) {
            try (InputStream crd = Files.newInputStream(Path.of("kubernetes/crd/" + file
                    + ".ooto.sigs.k8s.io-v1.yml"))) {
                client.resource(client.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class))
                        .create();
            }
        }
        ConcurrentHashMap<String, Integer> loaders = new ConcurrentHashMap<>();
        ConcurrentHashMap<String, Long> createdAt = new ConcurrentHashMap<>();
        ConcurrentHashMap<String, Long> completeAt = new ConcurrentHashMap<>();
        api.inspect(s -> {
            s.listen("apps", "daemonsets", (type, ds) -> {
                String module = ds.path("metadata").path("labels").path(Labels.MODULE_NAME).asText();
                if (type.equals("ADDED")) {
                    if (loaders.merge(module, 1, Integer::sum) == KERNELS) {
                        completeAt.putIfAbsent(module, System.nanoTime());
                    }
                } else if (type.equals("DELETED")) {
                    loaders.merge(module, -1, Integer::sum);
                }
            });
            return null;
        });

        try (OperatorProcess operator = OperatorProcess.launch(OperatorProcess.java(), OperatorProcess.app(),
                api.url(), List.of(HEAP.trim().split("\\s+")), Map.of("kmm.leader-election.enabled", "false"))) {
            operator.awaitReady(Duration.ofSeconds(60));
            counts(); // forget start-up

            // 1. Nodes appear (as kubelets register them) and are labelled.
            long t = System.nanoTime();
            api.inspect(s -> {
                for (int i = 0; i < NODES; i++) {
                    s.create("", "v1", "nodes", node("bench-" + i, kernel(i % KERNELS, 1)));
                }
                return null;
            });
            await(() -> labelled(1) == NODES);
            line("node labelling: all %d nodes labelled %.2f s after the first was created", NODES, secs(t));
            requests("  requests", "floor: " + NODES + " node patches");

            // 2. Modules roll out.
            t = System.nanoTime();
            for (int m = 0; m < MODULES; m++) {
                createdAt.put("mod-" + m, System.nanoTime());
                client.resource(TestModules.module(NS, "mod-" + m, Map.of("pool", "bench"),
                        TestModules.regexp("-bench$", "registry.example.com/mod-" + m + ":${KERNEL_FULL_VERSION}")))
                        .create();
            }
            double created = secs(t);
            await(() -> completeAt.size() == MODULES);
            line("rollout: %d Modules created in %.2f s; all %d loader DaemonSets exist %.2f s after the first Module",
                    MODULES, created, MODULES * KERNELS, secs(t));
            List<Double> latencies = createdAt.entrySet().stream()
                    .map(e -> (completeAt.get(e.getKey()) - e.getValue()) / 1e9).sorted().toList();
            line("rollout: per Module, creation to all its %d DaemonSets: median %.3f s, max %.3f s", KERNELS,
                    latencies.get(latencies.size() / 2), latencies.get(latencies.size() - 1));
            await(() -> statusesCurrent(1, MODULES));
            line("rollout: every Module's status shows %d targeted nodes %.2f s after the first Module", NODES,
                    secs(t));
            requests("  requests", "floor: " + MODULES * KERNELS + " DaemonSet creates + " + MODULES
                    + " status writes");

            // 2b. One more Module on a settled cluster: what a user waits for.
            Thread.sleep(2000);
            counts();
            t = System.nanoTime();
            createdAt.put("single", System.nanoTime());
            client.resource(TestModules.module(NS, "single", Map.of("pool", "bench"),
                    TestModules.regexp("-bench$", "registry.example.com/single:${KERNEL_FULL_VERSION}"))).create();
            await(() -> completeAt.containsKey("single"));
            line("one more Module on a settled cluster: all its %d DaemonSets %.3f s after its creation", KERNELS,
                    (completeAt.get("single") - createdAt.get("single")) / 1e9);
            await(() -> statusesCurrent(1, MODULES + 1));
            requests("  requests", "floor: " + KERNELS + " DaemonSet creates + 1 status write");

            // 3. Steady state, with node heartbeats (status changes that touch neither kernel nor labels).
            Thread.sleep(2000); // let the last status writes' own events settle
            // and the operator go quiet: a Module still Progressing (here always: the DaemonSets get no pods) looks
            // once more after kmm.status-progress-interval (10 s), then stops looking when nothing changed
            ClusterBenchmark.awaitQuiet(operator, java.time.Duration.ofSeconds(12));
            counts();
            double reconcilesBefore = reconciles(operator);
            int heartbeats = Math.min(NODES, 100);
            api.inspect(s -> {
                for (int i = 0; i < heartbeats; i++) {
                    s.writeStatus("", "nodes", null, "bench-" + i, status -> status.putArray("conditions").addObject()
                            .put("type", "Ready").put("status", "True")
                            .put("lastHeartbeatTime", java.time.Instant.now().toString()));
                }
                return null;
            });
            Thread.sleep(STEADY_SECONDS * 1000L);
            Map<String, Long> steady = counts();
            line("steady state: %d s, %d node heartbeats: %d reconciles (%d since start); operator requests: %s",
                    STEADY_SECONDS, heartbeats, (long) (reconciles(operator) - reconcilesBefore),
                    (long) reconciles(operator), steady.isEmpty() ? "none" : steady);

            // 4. Fleet-wide kernel upgrade: every kubelet reports a new kernel.
            t = System.nanoTime();
            api.inspect(s -> {
                for (int i = 0; i < NODES; i++) {
                    String kernel = kernel(i % KERNELS, 2);
                    s.writeStatus("", "nodes", null, "bench-" + i, status -> ((ObjectNode) status.get("nodeInfo"))
                            .put("kernelVersion", kernel));
                }
                return null;
            });
            await(() -> labelled(2) == NODES);
            line("upgrade: all %d nodes relabelled %.2f s after the kubelets reported their new kernels", NODES,
                    secs(t));
            await(() -> upgraded());
            line("upgrade: loader DaemonSets converged (new created, old deleted) after %.2f s", secs(t));
            await(() -> statusesCurrent(2, MODULES + 1));
            line("upgrade: every Module's status current after %.2f s", secs(t));
            requests("  requests", "floor: " + NODES + " node patches + " + 2 * (MODULES + 1) * KERNELS
                    + " DaemonSet creates/deletes + status writes");

            // 5. The operator's memory.
            long used = operator.usedHeapAfterGcBytes();
            line("memory: operator heap after a full GC: %d MiB live objects (class histogram), %d MiB used by the "
                    + "collector; RSS %d MiB (process %d, %s)", operator.liveHeapBytes() >> 20, used >> 20,
                    operator.rssKib() >> 10, operator.pid(), HEAP);
            if (Boolean.getBoolean("bench.histogram")) {
                operator.jcmd("GC.class_histogram").lines().limit(30).forEach(System.out::println);
            }

            // 6. Hostile objects: Jobs and DaemonSets anyone with those rights can create in their own namespace, with
            // the operator's labels (so its informers receive them) and 64 KiB of annotation each.
            if (HOSTILE > 0) {
                OperatorProcess.Histogram before = operator.histogram();
                String big = "x".repeat(64 * 1024);
                api.inspect(s -> {
                    for (int i = 0; i < HOSTILE; i++) {
                        s.create("batch", "v1", "jobs", forged("Job", "batch/v1", "forged-" + i, Labels.ROLE_BUILD,
                                big));
                        s.create("apps", "v1", "daemonsets", forged("DaemonSet", "apps/v1", "forged-" + i,
                                Labels.ROLE_MODULE_LOADER, big));
                    }
                    return null;
                });
                String jobClass = io.fabric8.kubernetes.api.model.batch.v1.Job.class.getName();
                String dsClass = io.fabric8.kubernetes.api.model.apps.DaemonSet.class.getName();
                OperatorProcess.Histogram[] after = new OperatorProcess.Histogram[1];
                await(() -> {
                    after[0] = operator.histogram();
                    return after[0].instances(jobClass) >= before.instances(jobClass) + HOSTILE
                            && after[0].instances(dsClass) >= before.instances(dsClass) + HOSTILE;
                });
                line("memory with %d forged Jobs and %d forged DaemonSets of 64 KiB each (%d MiB) in a tenant's "
                        + "namespace, all in the operator's caches: %d MiB live objects (was %d MiB); RSS %d MiB",
                        HOSTILE, HOSTILE, (2L * HOSTILE * big.length()) >> 20, after[0].total() >> 20,
                        before.total() >> 20, operator.rssKib() >> 10);
            }
        }
        System.out.println("\n" + report);
    }

    // ---------------------------------------------------------------- the cluster as the benchmark sees it

    /** A Job or DaemonSet a tenant made to look like the operator's, with a large annotation. */
    private static ObjectNode forged(String kind, String apiVersion, String name, String role, String big) {
        ObjectNode o = JSON.createObjectNode();
        o.put("apiVersion", apiVersion).put("kind", kind);
        ObjectNode meta = o.putObject("metadata").put("name", name).put("namespace", "tenant");
        meta.putObject("labels").put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).put(Labels.ROLE, role)
                .put(Labels.MODULE_NAME, "mod-0");
        meta.putObject("annotations").put("forged", big);
        ObjectNode spec = o.putObject("spec");
        if (kind.equals("Job")) {
            spec.put("suspend", true);
        } else {
            spec.putObject("selector").putObject("matchLabels").put("app", name);
        }
        ObjectNode template = spec.putObject("template");
        template.putObject("metadata").putObject("labels").put("app", name);
        template.putObject("spec").putArray("containers").addObject().put("name", "c").put("image", "busybox");
        return o;
    }

    /**
     * A Node as a kubelet registers it. By default ({@code bench.node-size=realistic}) with what real nodes carry and
     * KMM does not read: ~15 labels, annotations, capacity, conditions, addresses and 40 images (about 8 KiB of JSON),
     * so that the operator's caches are measured at their real size; {@code minimal} keeps only the kernel.
     */
    private static ObjectNode node(String name, String kernel) {
        ObjectNode n = JSON.createObjectNode();
        n.put("apiVersion", "v1").put("kind", "Node");
        ObjectNode meta = n.putObject("metadata").put("name", name);
        ObjectNode labels = meta.putObject("labels").put("pool", "bench");
        ObjectNode status = n.putObject("status");
        ObjectNode info = status.putObject("nodeInfo").put("kernelVersion", kernel);
        if (!"minimal".equals(System.getProperty("bench.node-size", "realistic"))) {
            labels.put("kubernetes.io/hostname", name).put("kubernetes.io/os", "linux")
                    .put("kubernetes.io/arch", "amd64").put("beta.kubernetes.io/os", "linux")
                    .put("beta.kubernetes.io/arch", "amd64").put("node.kubernetes.io/instance-type", "m6i.4xlarge")
                    .put("topology.kubernetes.io/region", "eu-west-1")
                    .put("topology.kubernetes.io/zone", "eu-west-1" + "abc".charAt(name.hashCode() & 1))
                    .put("node-role.kubernetes.io/worker", "").put("feature.node.kubernetes.io/cpu-cpuid.VMX", "true")
                    .put("feature.node.kubernetes.io/pci-10de.present", "true")
                    .put("nvidia.com/gpu.product", "NVIDIA-A100-SXM4-40GB").put("team", "platform")
                    .put("cost-center", "cc-4711");
            meta.putObject("annotations").put("node.alpha.kubernetes.io/ttl", "0")
                    .put("volumes.kubernetes.io/controller-managed-attach-detach", "true")
                    .put("csi.volume.kubernetes.io/nodeid", "{\"ebs.csi.aws.com\":\"i-0" + name.hashCode() + "\"}")
                    .put("nfd.node.kubernetes.io/feature-labels", "cpu-cpuid.VMX,pci-10de.present,kernel-version.full")
                    .put("projectcalico.org/IPv4Address", "10.0." + (name.hashCode() & 255) + ".7/24");
            for (String kind : List.of("capacity", "allocatable")) {
                status.putObject(kind).put("cpu", "16").put("memory", "65276952Ki").put("pods", "110")
                        .put("ephemeral-storage", "104845292Ki").put("hugepages-2Mi", "0").put("nvidia.com/gpu", "8");
            }
            var conditions = status.putArray("conditions");
            for (String type : List.of("MemoryPressure", "DiskPressure", "PIDPressure", "Ready")) {
                conditions.addObject().put("type", type).put("status", type.equals("Ready") ? "True" : "False")
                        .put("lastHeartbeatTime", "2026-11-23T10:00:00Z").put("lastTransitionTime",
                                "2026-11-01T10:00:00Z").put("reason", "Kubelet" + type).put("message",
                                        "kubelet has sufficient resources for " + type);
            }
            var addresses = status.putArray("addresses");
            addresses.addObject().put("type", "InternalIP").put("address", "10.0.0." + (name.hashCode() & 255));
            addresses.addObject().put("type", "Hostname").put("address", name);
            addresses.addObject().put("type", "InternalDNS").put("address", name + ".eu-west-1.compute.internal");
            info.put("machineID", "ec2" + Integer.toHexString(name.hashCode())).put("systemUUID",
                    java.util.UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString())
                    .put("bootID", java.util.UUID.randomUUID().toString()).put("osImage", "Red Hat Enterprise Linux CoreOS")
                    .put("containerRuntimeVersion", "cri-o://1.31.4").put("kubeletVersion", "v1.32.3")
                    .put("kubeProxyVersion", "v1.32.3").put("operatingSystem", "linux").put("architecture", "amd64");
            var images = status.putArray("images");
            for (int i = 0; i < 40; i++) {
                var image = images.addObject().put("sizeBytes", 100_000_000L + i * 7_919_000L);
                image.putArray("names").add("quay.io/vendor/component-" + i + "@sha256:" + "0123456789abcdef".repeat(4))
                        .add("quay.io/vendor/component-" + i + ":v1." + i + ".0");
            }
        }
        return n;
    }

    private long labelled(int generation) throws Exception {
        return api.inspect(s -> s.list("", "nodes", n -> n.path("metadata").path("labels")
                .path(Labels.KERNEL_VERSION).asText("").startsWith("6." + generation + ".")).size());
    }

    private boolean upgraded() throws Exception {
        return api.inspect(s -> {
            List<ObjectNode> ds = s.list("apps", "daemonsets", d -> d.path("metadata").path("labels")
                    .path(Labels.ROLE).asText().equals(Labels.ROLE_MODULE_LOADER));
            return ds.size() == (MODULES + 1) * KERNELS && ds.stream().allMatch(d -> d.path("metadata").path("labels")
                    .path(Labels.KERNEL_VERSION).asText().startsWith("6.2."));
        });
    }

    private boolean statusesCurrent(int generation, int modules) throws Exception {
        return api.inspect(s -> {
            List<ObjectNode> all = s.list("ooto.sigs.k8s.io", "modules", m -> true);
            return all.size() == modules && all.stream().allMatch(m -> {
                var status = m.path("status");
                if (status.path("targetedNodes").asInt(-1) != NODES || status.path("kernels").size() != KERNELS) {
                    return false;
                }
                for (var k : status.path("kernels")) {
                    if (!k.path("kernel").asText().startsWith("6." + generation + ".")
                            || k.path("daemonSet").asText("").isEmpty()) {
                        return false;
                    }
                }
                return true;
            });
        });
    }

    // ---------------------------------------------------------------- measurements

    /** The operator's requests since the last call, "VERB resource" to count. */
    private Map<String, Long> counts() {
        Map<String, Long> now = api.counts(OPERATOR_AGENT);
        Map<String, Long> delta = new TreeMap<>();
        now.forEach((k, v) -> {
            long d = v - lastCounts.getOrDefault(k, 0L);
            if (d > 0) {
                delta.put(k, d);
            }
        });
        lastCounts = now;
        return delta;
    }

    private void requests(String label, String floor) {
        Map<String, Long> delta = counts();
        Map<String, Long> writes = new TreeMap<>();
        delta.forEach((k, v) -> {
            if (!k.startsWith("GET") && !k.startsWith("WATCH")) {
                writes.put(k, v);
            }
        });
        long total = writes.values().stream().mapToLong(Long::longValue).sum();
        line("%s: %d writes %s (%s); all requests: %s", label, total, writes, floor, delta);
    }

    static double reconciles(OperatorProcess operator) throws Exception {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(operator.baseUrl() + "q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        double sum = 0;
        for (String line : metrics.body().split("\n")) {
            if (line.startsWith("operator_sdk_reconciliations_started_total") && line.contains("Module")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static void await(BooleanSupplierWithException condition) throws Exception {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("did not converge within " + CONVERGE);
            }
            Thread.sleep(5);
        }
    }

    @FunctionalInterface
    private interface BooleanSupplierWithException {
        boolean getAsBoolean() throws Exception;
    }

    private void line(String format, Object... args) {
        String text = String.format(format, args);
        report.append(text).append('\n');
        System.out.println("[bench] " + text);
    }

    private static double secs(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
