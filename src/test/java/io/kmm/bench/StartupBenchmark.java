package io.kmm.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kmm.TestModules;

/**
 * Start-up benchmark of the packaged operator ({@code target/quarkus-app/quarkus-run.jar}) in JVM mode: starts the
 * fabric8 mock API server (CRUD mode) on 127.0.0.1 with the Module CRD and a few nodes, then launches the packaged
 * operator against it several times per variant and prints, per variant, the median of Quarkus's own "started in",
 * of the wall time from process launch until {@code /q/health/ready} answers 200 (informers synced), and of the RSS
 * at that moment.
 *
 * <p>Variants: the plain JVM, and, when the package contains one, the AppCDS archive ({@code app-cds.jsa}) or the
 * JDK AOT cache ({@code app.aot}) that {@code -Dquarkus.package.jar.appcds.enabled=true} made. An archive only works
 * with the JDK that made it: run the benchmark with the same {@code java} (property {@code bench.java}).
 *
 * <p>Run (see docs/performance.md): {@code ./mvnw -q exec:java@startup-benchmark [-Dbench.runs=5]}. It measures and
 * prints, it asserts nothing but that the operator became ready.
 */
public final class StartupBenchmark {

    private static final Pattern STARTED = Pattern.compile("started in ([0-9.]+)s");
    /** The mock server logs every request at INFO through java.util.logging; kept referenced so the level holds. */
    private static final Logger QUIET = Logger.getLogger("io.fabric8.mockwebserver");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private record Variant(String name, List<String> jvmOptions) {
    }

    private record Run(double startedInSeconds, double readySeconds, long rssKib) {
    }

    public static void main(String[] args) throws Exception {
        try {
            run();
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
        // The mock server leaves non-daemon Vert.x threads behind, which would keep exec:java waiting.
        System.exit(0);
    }

    private static void run() throws Exception {
        QUIET.setLevel(Level.WARNING);
        Path app = Path.of(System.getProperty("bench.app", "target/quarkus-app")).toAbsolutePath();
        String java = System.getProperty("bench.java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        int runs = Integer.getInteger("bench.runs", 5);
        int nodes = Integer.getInteger("bench.nodes", 10);
        if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(app.resolve("quarkus-run.jar") + " not found: run ./mvnw package first");
        }

        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("plain JVM", List.of()));
        if (Files.isRegularFile(app.resolve("app-cds.jsa"))) {
            variants.add(new Variant("AppCDS (app-cds.jsa)", List.of("-XX:SharedArchiveFile=app-cds.jsa")));
        }
        if (Files.isRegularFile(app.resolve("app.aot"))) {
            variants.add(new Variant("JDK AOT cache (app.aot)", List.of("-XX:AOTCache=app.aot")));
        }

        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try (KubernetesClient client = server.createClient()) {
            try (InputStream crd = Files.newInputStream(Path.of("kubernetes/crd/modules.ooto.sigs.k8s.io-v1.yml"))) {
                client.resource(client.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class))
                        .create();
            }
            for (int i = 0; i < nodes; i++) {
                client.nodes().resource(TestModules.node("node-" + i, "5.14.0-" + (i % 3) + ".el9.x86_64",
                        Map.of())).create();
            }
            String apiServer = server.url("/");
            System.out.printf("java: %s (%s)%napplication: %s%nAPI server: %s (fabric8 mock, CRUD), %d nodes%n%n",
                    java, version(java), app, apiServer, nodes);
            System.out.printf("%-26s %5s %18s %22s %14s%n", "variant", "runs", "started in (median)",
                    "ready after (median)", "RSS at ready");
            // One discarded launch: it labels the nodes (later launches find them labelled) and warms the page cache.
            launch(java, app, apiServer, variants.get(0));
            Map<Variant, List<Run>> results = new LinkedHashMap<>();
            for (int i = 0; i < runs; i++) {
                for (Variant variant : variants) { // interleaved, so that drift on the machine hits every variant
                    results.computeIfAbsent(variant, v -> new ArrayList<>()).add(launch(java, app, apiServer, variant));
                }
            }
            results.forEach((variant, list) -> System.out.printf("%-26s %5d %17.3fs %21.3fs %10d MiB%n",
                    variant.name(), list.size(),
                    median(list.stream().map(Run::startedInSeconds).toList()),
                    median(list.stream().map(Run::readySeconds).toList()),
                    (long) median(list.stream().map(r -> (double) r.rssKib()).toList()) / 1024));
        } finally {
            server.destroy();
        }
    }

    private static Run launch(String java, Path app, String apiServer, Variant variant) throws Exception {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(variant.jvmOptions());
        command.addAll(List.of(
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.kubernetes-client.api-server-url=" + apiServer,
                "-Dquarkus.kubernetes-client.trust-certs=true",
                "-Dkmm.leader-election.enabled=false",
                "-jar", "quarkus-run.jar"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(app.toFile()).redirectErrorStream(true);
        builder.environment().remove("KUBECONFIG");
        long launched = System.nanoTime();
        Process process = builder.start();
        StringBuilder output = new StringBuilder();
        CompletableFuture<Double> startedIn = new CompletableFuture<>();
        Thread reader = new Thread(() -> read(process.getInputStream(), output, startedIn), "operator-output");
        reader.setDaemon(true);
        reader.start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build();
            long deadline = launched + READY_TIMEOUT.toNanos();
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the operator exited with " + process.exitValue() + ":\n" + output);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the operator was not ready within " + READY_TIMEOUT + ":\n" + output);
                }
                try {
                    if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        break;
                    }
                } catch (IOException notYetListening) {
                    // keep polling
                }
                Thread.sleep(10);
            }
            double readySeconds = (System.nanoTime() - launched) / 1e9;
            if (Boolean.getBoolean("bench.show-log")) {
                synchronized (output) {
                    System.out.println(output);
                }
            }
            long rss = rssKib(process.pid());
            return new Run(startedIn.get(10, TimeUnit.SECONDS), readySeconds, rss);
        } finally {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static void read(InputStream in, StringBuilder output, CompletableFuture<Double> startedIn) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                synchronized (output) {
                    output.append(line).append('\n');
                }
                Matcher m = STARTED.matcher(line);
                if (m.find()) {
                    startedIn.complete(Double.parseDouble(m.group(1)));
                }
            }
        } catch (IOException ended) {
            // process gone
        }
    }

    private static long rssKib(long pid) throws IOException {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        if (!Files.isReadable(status)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(status)) {
            return lines.filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                    .findFirst().orElse(0L);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String version(String java) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out.lines().findFirst().orElse("?");
    }
}
