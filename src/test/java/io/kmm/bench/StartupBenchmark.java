package io.kmm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.kmm.e2e.Installation;
import io.kmm.e2e.LocalCluster;
import io.kmm.process.OperatorProcess;

/**
 * Start-up benchmark of the packaged operator ({@code target/quarkus-app/quarkus-run.jar}) in JVM mode: starts the
 * local control plane ({@code dev/local-cluster}, state in target/bench-cluster), installs {@code kubernetes/} with
 * kubectl, adds a few kwok nodes, then launches the packaged operator against it, as its ServiceAccount, several
 * times per variant and prints, per variant, the median of Quarkus's own "started in",
 * of the wall time from process launch until {@code /q/health/ready} answers 200 (informers synced), and of the RSS
 * at that moment.
 *
 * <p>Variants: the plain JVM, the native executable when {@code bench.native} names one, and, when the package
 * contains one, the AppCDS archive ({@code app-cds.jsa}) or the
 * JDK AOT cache ({@code app.aot}) that {@code -Dquarkus.package.jar.appcds.enabled=true} made. An archive only works
 * with the JDK that made it: run the benchmark with the same {@code java} (property {@code bench.java}).
 *
 * <p>Run (see docs/performance.md): {@code ./mvnw -q exec:java@startup-benchmark [-Dbench.runs=5]}. It measures and
 * prints, it asserts nothing but that the operator became ready.
 */
public final class StartupBenchmark {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /** {@code nativeExecutable}: run it instead of the jar ({@code bench.native}), or null. */
    private record Variant(String name, List<String> jvmOptions, String nativeExecutable) {
        Variant(String name, List<String> jvmOptions) {
            this(name, jvmOptions, null);
        }
    }

    private record Run(double startedInSeconds, double readySeconds, long rssKib, Map<String, Long> rssByMappingKib) {
    }

    public static void main(String[] args) throws Exception {
        try {
            run();
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
        // The client leaves non-daemon threads behind, which would keep exec:java waiting.
        System.exit(0);
    }

    private static void run() throws Exception {
        Path app = OperatorProcess.app();
        String java = OperatorProcess.java();
        int runs = Integer.getInteger("bench.runs", 5);
        int nodes = Integer.getInteger("bench.nodes", 10);

        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("plain JVM", List.of()));
        if (Files.isRegularFile(app.resolve("app-cds.jsa"))) {
            variants.add(new Variant("AppCDS (app-cds.jsa)", List.of("-XX:SharedArchiveFile=app-cds.jsa")));
        }
        if (Files.isRegularFile(app.resolve("app.aot"))) {
            variants.add(new Variant("JDK AOT cache (app.aot)", List.of("-XX:AOTCache=app.aot")));
        }
        String nativeExecutable = System.getProperty("bench.native", "");
        if (!nativeExecutable.isBlank()) { // dev/native-build's executable, with the peer benchmark's native options
            // bench.native-heap may list several option sets, separated by ';': one variant each
            for (String options : PeerBenchmark.NATIVE_HEAP.split(";")) {
                variants.add(new Variant("native " + options.trim(), List.of(options.trim().split("\\s+")),
                        Path.of(nativeExecutable).toAbsolutePath().toString()));
            }
        }

        LocalCluster cluster = LocalCluster.start(Path.of("target", "bench-cluster").toAbsolutePath());
        try {
            Installation installation = Installation.install(cluster);
            for (int i = 0; i < nodes; i++) {
                cluster.addNode("node-" + i, "5.14.0-" + (i % 3) + ".el9.x86_64", Map.of());
            }
            System.out.printf("java: %s (%s)%napplication: %s%nAPI server: %s (local control plane, kube-apiserver "
                    + "%s), %d kwok nodes; the operator runs as its ServiceAccount%n%n", java, version(java), app,
                    cluster.url(), cluster.admin().getKubernetesVersion().getGitVersion(), nodes);
            System.out.printf("%-40s %5s %18s %22s %14s%n", "variant", "runs", "started in (median)",
                    "ready after (median)", "RSS at ready");
            // One discarded launch: it labels the nodes (later launches find them labelled) and warms the page cache.
            launch(installation, variants.get(0));
            Map<Variant, List<Run>> results = new LinkedHashMap<>();
            for (int i = 0; i < runs; i++) {
                for (Variant variant : variants) { // interleaved, so that drift on the machine hits every variant
                    results.computeIfAbsent(variant, v -> new ArrayList<>()).add(launch(installation, variant));
                }
            }
            results.forEach((variant, list) -> System.out.printf("%-40s %5d %17.3fs %21.3fs %10d MiB%n",
                    variant.name(), list.size(),
                    median(list.stream().map(Run::startedInSeconds).toList()),
                    median(list.stream().map(Run::readySeconds).toList()),
                    (long) median(list.stream().map(r -> (double) r.rssKib()).toList()) / 1024));
            System.out.printf("%nRSS at ready by kind of mapping (MiB; the last run of each variant)%n");
            results.forEach((variant, list) -> System.out.printf("%-40s %s%n", variant.name(),
                    list.get(list.size() - 1).rssByMappingKib().entrySet().stream()
                            .map(e -> e.getKey() + " " + (e.getValue() + 512) / 1024)
                            .collect(Collectors.joining(", "))));
        } finally {
            cluster.down();
        }
    }

    private static Run launch(Installation installation, Variant variant) throws Exception {
        // OperatorProcess runs what kmm.operator.native names (this benchmark launches one process at a time)
        if (variant.nativeExecutable() == null) {
            System.clearProperty("kmm.operator.native");
        } else {
            System.setProperty("kmm.operator.native", variant.nativeExecutable());
        }
        try (OperatorProcess operator = installation.launchOperator(variant.jvmOptions(),
                Map.of("kmm.leader-election.enabled", "false"))) {
            double ready = operator.awaitReady(READY_TIMEOUT);
            if (Boolean.getBoolean("bench.show-log")) {
                System.out.println(operator.output());
            }
            return new Run(operator.startedInSeconds(), ready, operator.rssKib(), operator.rssByMappingKib());
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String version(String java) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out.lines().findFirst().orElse("?");
    }
}
