package io.kmm.process;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The packaged operator ({@code target/quarkus-app/quarkus-run.jar}, prod profile) running as its own process
 * against an API server on 127.0.0.1, as in a pod: used by the start-up benchmark and the process-level fault tests.
 * Its output is kept (and can be searched, e.g. for secrets that must not be logged).
 */
public final class OperatorProcess implements AutoCloseable {

    private static final Pattern STARTED = Pattern.compile("started in ([0-9.]+)s");

    /** The Kubernetes client's own property for each quarkus.kubernetes-client property the tests set. */
    private static final Map<String, String> NATIVE_CLIENT_PROPERTIES = Map.of(
            "quarkus.kubernetes-client.ca-cert-file", "kubernetes.certs.ca.file",
            "quarkus.kubernetes-client.trust-certs", "kubernetes.trust.certificates");

    private final Process process;
    private final int port;
    private final long launchedNanos;
    private final StringBuilder output = new StringBuilder();
    private final CompletableFuture<Double> startedIn = new CompletableFuture<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final Thread reader;

    private OperatorProcess(Process process, Path log, int port, long launchedNanos) {
        this.process = process;
        this.port = port;
        this.launchedNanos = launchedNanos;
        // The output goes to a file, read as it grows: a pipe read while the process exits can lose its last lines
        // (the JDK closes it under the reader), and those are the shutdown's.
        reader = new Thread(() -> follow(log), "operator-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * The native executable to run instead of the packaged jar, from {@code kmm.operator.native} (e.g.
     * {@code target/kmm-operator-0.1.0-SNAPSHOT-runner}, built by {@code dev/native-build}), or empty: the tests that
     * start the operator through this class then run it.
     */
    public static java.util.Optional<Path> nativeExecutable() {
        String exe = System.getProperty("kmm.operator.native", "");
        if (exe.isBlank()) {
            return java.util.Optional.empty();
        }
        Path path = Path.of(exe).toAbsolutePath();
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException(path + " (kmm.operator.native) is not an executable: run dev/native-build");
        }
        return java.util.Optional.of(path);
    }

    /** The packaged application's directory: {@code bench.app} or {@code target/quarkus-app}. */
    public static Path app() {
        if (nativeExecutable().isPresent()) {
            return nativeExecutable().get().getParent();
        }
        Path app = Path.of(System.getProperty("bench.app", "target/quarkus-app")).toAbsolutePath();
        if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(app.resolve("quarkus-run.jar") + " not found: run ./mvnw package first");
        }
        return app;
    }

    /** The {@code java} of this JVM, or {@code bench.java}. */
    public static String java() {
        return System.getProperty("bench.java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * @param jvmOptions e.g. {@code -XX:SharedArchiveFile=app-cds.jsa}
     * @param properties system properties for the operator (its configuration)
     */
    public static OperatorProcess launch(String java, Path app, String apiServerUrl, List<String> jvmOptions,
            Map<String, String> properties) throws IOException {
        Map<String, String> all = new java.util.LinkedHashMap<>();
        all.put("quarkus.kubernetes-client.trust-certs", "true");
        all.put("kmm.registry.allow-local-addresses", "true"); // the tests' registries are on 127.0.0.1
        all.putAll(properties);
        return launch(java, app, apiServerUrl, jvmOptions, all, Map.of());
    }

    /**
     * As in a pod: the operator trusts the cluster's CA and authenticates with a ServiceAccount token. The token
     * travels in the environment ({@code QUARKUS_KUBERNETES_CLIENT_TOKEN}), never on the command line.
     */
    public static OperatorProcess launchAs(Path app, List<String> jvmOptions, String apiServerUrl,
            Path caCertificate, String token, Map<String, String> properties) throws IOException {
        return launchAs(app, jvmOptions, apiServerUrl, caCertificate, token, properties, Map.of());
    }

    /** The same, with more environment variables (e.g. the image's {@code GLIBC_TUNABLES}). */
    public static OperatorProcess launchAs(Path app, List<String> jvmOptions, String apiServerUrl,
            Path caCertificate, String token, Map<String, String> properties, Map<String, String> environment)
            throws IOException {
        Map<String, String> all = new java.util.LinkedHashMap<>();
        all.put("quarkus.kubernetes-client.ca-cert-file", caCertificate.toString());
        // Only the token: never a kubeconfig or a pod's ServiceAccount files this machine may have.
        all.put("kubernetes.auth.tryKubeConfig", "false");
        all.put("kubernetes.auth.tryServiceAccount", "false");
        all.putAll(properties);
        Map<String, String> env = new java.util.HashMap<>(environment);
        env.put("QUARKUS_KUBERNETES_CLIENT_TOKEN", token);
        return launch(java(), app, apiServerUrl, jvmOptions, all, env);
    }

    private static OperatorProcess launch(String java, Path app, String apiServerUrl, List<String> jvmOptions,
            Map<String, String> properties, Map<String, String> environment) throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>();
        java.util.Optional<Path> nativeExecutable = nativeExecutable();
        command.add(nativeExecutable.map(Path::toString).orElse(java));
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dquarkus.http.port=" + port);
        Map<String, String> env = new java.util.HashMap<>(environment);
        if (nativeExecutable.isEmpty()) {
            command.add("-Dquarkus.kubernetes-client.api-server-url=" + apiServerUrl);
            properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.addAll(List.of("-jar", "quarkus-run.jar"));
        } else {
            // quarkus.kubernetes-client.* is fixed when a native executable is built: the client's own settings
            // (which it reads when it starts, as in a pod) say where the API server is and how to trust it.
            command.add("-Dkubernetes.master=" + apiServerUrl);
            properties.forEach((k, v) -> command.add("-D" + NATIVE_CLIENT_PROPERTIES.getOrDefault(k, k) + "=" + v));
            String token = env.remove("QUARKUS_KUBERNETES_CLIENT_TOKEN");
            if (token != null) {
                env.put("KUBERNETES_AUTH_TOKEN", token);
            }
        }
        Path log = Files.createTempFile("operator", ".log");
        log.toFile().deleteOnExit();
        ProcessBuilder builder = new ProcessBuilder(command).directory(app.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("KUBECONFIG");
        builder.environment().putAll(env);
        long launched = System.nanoTime();
        return new OperatorProcess(builder.start(), log, port, launched);
    }

    /** Waits until {@code /q/health/ready} answers 200; fails when the process exits first. */
    public double awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                reader.join(2000); // the reader ends once it has read everything the process wrote
                throw new IllegalStateException("the operator exited with " + process.exitValue() + ":\n" + output());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the operator was not ready within " + timeout + ":\n" + output());
            }
            if (health("ready") == 200) {
                if (nativeExecutable().isPresent()) {
                    assertSaysNative();
                }
                return (System.nanoTime() - launchedNanos) / 1e9;
            }
            Thread.sleep(10);
        }
    }

    private void assertSaysNative() throws InterruptedException {
        long banner = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!output().contains("(powered by Quarkus") && System.nanoTime() < banner) {
            Thread.sleep(20); // the output is read from a file as it grows: the line may lag behind
        }
        if (!output().contains(" native (powered by Quarkus")) {
            throw new IllegalStateException("kmm.operator.native is set but the operator did not say it runs "
                    + "natively:\n" + output());
        }
    }

    /** HTTP status of {@code /q/health/<probe>}, or -1 when nothing answers. */
    public int health(String probe) throws InterruptedException {
        try {
            return http.send(healthRequest(probe), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The body of {@code /q/health/<probe>} (the checks and their data), or "" when nothing answers. */
    public String healthBody(String probe) throws InterruptedException {
        try {
            return http.send(healthRequest(probe), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        }
    }

    private HttpRequest healthRequest(String probe) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/" + probe))
                .timeout(Duration.ofSeconds(2)).build();
    }

    /** {@code http://127.0.0.1:<port>/}: the operator's HTTP endpoints (health, metrics). */
    public String baseUrl() {
        return "http://127.0.0.1:" + port + "/";
    }

    /** Quarkus's own "started in" figure. */
    public double startedInSeconds() throws Exception {
        return startedIn.get(10, TimeUnit.SECONDS);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Resident set size in KiB (Linux), 0 when unknown. */
    public long rssKib() throws IOException {
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        if (!Files.isReadable(status)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(status)) {
            return lines.filter(l -> l.startsWith("VmRSS:")).map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                    .findFirst().orElse(0L);
        }
    }

    /**
     * The resident set by kind of mapping (Linux {@code /proc/PID/smaps}), in KiB: the executable's code and its data
     * (for a native executable, its pre-initialised image heap), anonymous memory (Java heap, metaspace, JIT code,
     * thread stacks, malloc arenas other than the main one), the main malloc heap ({@code [heap]}), the main stack and
     * other files (shared libraries, the JDK's modules). Empty when unknown.
     */
    public Map<String, Long> rssByMappingKib() throws IOException {
        Path smaps = Path.of("/proc", Long.toString(process.pid()), "smaps");
        Map<String, Long> kib = new LinkedHashMap<>();
        if (!Files.isReadable(smaps)) {
            return kib;
        }
        String executable = Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "exe")).toString();
        String kind = null;
        for (String line : Files.readAllLines(smaps, StandardCharsets.UTF_8)) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length >= 5 && f[0].matches("[0-9a-f]+-[0-9a-f]+")) { // a mapping's header line
                String path = f.length == 6 ? f[5] : "";
                boolean code = f[1].contains("x");
                kind = path.equals(executable) ? (code ? "executable code" : "executable data (image heap)")
                        : path.isEmpty() || path.startsWith("[anon") ? "anonymous" : path.equals("[heap]") ? "malloc [heap]"
                        : path.equals("[stack]") ? "main stack" : path.startsWith("[") ? "other" : "other files";
            } else if (kind != null && line.startsWith("Rss:")) {
                kib.merge(kind, Long.parseLong(line.replaceAll("[^0-9]", "")), Long::sum);
            }
        }
        return kib;
    }

    /** Runs {@code jcmd PID command} (the JDK's diagnostic command) and returns what it printed. */
    public String jcmd(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(java()).resolveSibling("jcmd").toString(), Long.toString(pid()),
                command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /** The live heap in bytes: the total of a class histogram, which the JVM takes after a full GC. */
    public long liveHeapBytes() throws IOException, InterruptedException {
        return histogram().total();
    }

    /** A class histogram (taken after a full GC): the live instances and bytes per class, and their total. */
    public Histogram histogram() throws IOException, InterruptedException {
        String out = jcmd("GC.class_histogram");
        Matcher total = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)").matcher(out);
        if (!total.find()) {
            throw new IllegalStateException("cannot read the class histogram: " + out);
        }
        java.util.Map<String, long[]> classes = new java.util.HashMap<>();
        Matcher row = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)").matcher(out);
        while (row.find()) {
            classes.merge(row.group(3), new long[] { Long.parseLong(row.group(1)), Long.parseLong(row.group(2)) },
                    (a, b) -> new long[] { a[0] + b[0], a[1] + b[1] });
        }
        return new Histogram(Long.parseLong(total.group(1)), classes, out);
    }

    /**
     * A class histogram.
     *
     * @param total live bytes
     * @param classes per class name: instances, bytes
     * @param text what jcmd printed
     */
    public record Histogram(long total, java.util.Map<String, long[]> classes, String text) {
        public long instances(String className) {
            long[] c = classes.get(className);
            return c == null ? 0 : c[0];
        }
    }

    /** What the collector reports as used after a full GC (whole regions, so more than the live objects). */
    public long usedHeapAfterGcBytes() throws IOException, InterruptedException {
        jcmd("GC.run");
        String out = jcmd("GC.heap_info");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(out);
        if (!used.find()) {
            throw new IllegalStateException("cannot read the heap from jcmd: " + out);
        }
        long kib = Long.parseLong(used.group(1));
        // G1 prints one heap line; the serial collector (one CPU, as in the shipped pod) its young and old generation
        if (out.contains("def new generation") && used.find()) {
            kib += Long.parseLong(used.group(1));
        }
        return kib * 1024;
    }

    /** Everything the operator printed so far. */
    public String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /** SIGKILL, as when a node dies or the OOM killer strikes: no shutdown hooks. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    /**
     * SIGTERM, as the kubelet sends it, then waits for the process to end.
     *
     * @return its exit status, or empty when it is still running after {@code within} (then it is killed)
     */
    public java.util.OptionalInt terminate(Duration within) throws InterruptedException {
        process.destroy();
        if (process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            reader.join(5_000); // what it printed last
            return java.util.OptionalInt.of(process.exitValue());
        }
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
        return java.util.OptionalInt.empty();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** Reads the output file as it grows, until the process has ended and everything is read. */
    private void follow(Path log) {
        try (InputStream in = Files.newInputStream(log);
                BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            StringBuilder partial = new StringBuilder();
            while (true) {
                boolean ended = !process.isAlive();
                int c;
                while (lines.ready() && (c = lines.read()) != -1) {
                    if (c != '\n') {
                        partial.append((char) c);
                        continue;
                    }
                    String line = partial.toString();
                    partial.setLength(0);
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    Matcher m = STARTED.matcher(line);
                    if (m.find()) {
                        startedIn.complete(Double.parseDouble(m.group(1)));
                    }
                }
                if (ended) {
                    if (partial.length() > 0) {
                        synchronized (output) {
                            output.append(partial);
                        }
                    }
                    return;
                }
                Thread.sleep(20);
            }
        } catch (IOException | InterruptedException e) {
            // gone
        } finally {
            try {
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
