package io.kmm.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * The real control plane of {@code dev/local-cluster} (etcd, kube-apiserver with RBAC and an audit log,
 * kube-controller-manager, kube-scheduler, kwok), started once per test JVM on free ports of 127.0.0.1 with its
 * state under {@code target/local-cluster}, and stopped when the JVM exits. The first start on a machine builds the
 * binaries from Go modules (see docs/development.md).
 */
public final class LocalCluster {

    /** Nodes created with this annotation are run by kwok: Ready, heartbeats, pods that "run". */
    public static final String KWOK_ANNOTATION = "kwok.x-k8s.io/node";

    private static LocalCluster shared;

    private final Path script;
    private final Path state;
    private final Map<String, String> env;
    private final String url;
    private final KubernetesClient admin;

    private LocalCluster(Path script, Path state, Map<String, String> env) throws IOException {
        this.script = script;
        this.state = state;
        this.env = env;
        Config config = Config.fromKubeconfig(null, Files.readString(kubeconfig()), kubeconfig().toString());
        this.url = config.getMasterUrl().replaceAll("/+$", "");
        this.admin = new KubernetesClientBuilder().withConfig(config).build();
    }

    /** The cluster of this JVM, started on first use. */
    public static synchronized LocalCluster shared() throws Exception {
        if (shared == null) {
            shared = start(Path.of("target", "local-cluster").toAbsolutePath());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> shared.down(), "local-cluster-down"));
        }
        return shared;
    }

    public static LocalCluster start(Path state, String... upOptions) throws Exception {
        return start(state, Map.of(), upOptions);
    }

    /** @param extraEnv e.g. {@code KMM_KWOK_HEARTBEAT_MS} */
    public static LocalCluster start(Path state, Map<String, String> extraEnv, String... upOptions) throws Exception {
        Path script = Path.of("dev", "local-cluster").toAbsolutePath();
        Map<String, String> env = new LinkedHashMap<>(extraEnv);
        env.put("KMM_CLUSTER_STATE", state.toString());
        env.putAll(freePorts());
        List<String> command = new ArrayList<>(List.of(script.toString(), "up"));
        command.addAll(List.of(upOptions));
        Result up = run(env, Duration.ofMinutes(60), command);
        if (up.code() != 0 && (up.stdout() + up.stderr()).contains("address already in use")) {
            // A port found free was taken before its component listened on it (another process's outgoing
            // connection can get any port of the ephemeral range): once more, on other ports.
            System.out.println("[local-cluster] a port was taken meanwhile; starting again on other ports");
            run(env, Duration.ofMinutes(3), List.of(script.toString(), "down"));
            env.putAll(freePorts());
            up = run(env, Duration.ofMinutes(60), command);
        }
        if (up.code() != 0 || !up.stdout().strip().endsWith("KUBECONFIG=" + state.resolve("admin.kubeconfig"))) {
            throw new IllegalStateException("dev/local-cluster up failed (" + up.code() + "):\n" + up.stdout()
                    + up.stderr());
        }
        System.out.println("[local-cluster] " + up.stderr().strip().lines().reduce((a, b) -> b).orElse(""));
        return new LocalCluster(script, state, env);
    }

    /**
     * A cluster with a real node as well ({@code up --real-node}: kubelet, containerd, runc, kube-proxy, and a
     * registry on 127.0.0.1), on free ports. Needs root; {@link #down} undoes what the node changed on this machine.
     */
    public static LocalCluster startWithRealNode(Path state, String... upOptions) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        java.util.Set<Integer> taken = new java.util.HashSet<>();
        for (String key : List.of("KMM_REGISTRY_PORT", "KMM_KUBELET_PORT", "KMM_KUBELET_HEALTHZ_PORT",
                "KMM_PROXY_METRICS_PORT", "KMM_PROXY_HEALTHZ_PORT")) {
            int port = freePort();
            while (!taken.add(port)) {
                port = freePort();
            }
            env.put(key, Integer.toString(port));
        }
        List<String> options = new ArrayList<>(List.of("--real-node"));
        options.addAll(List.of(upOptions));
        return start(state, env, options.toArray(String[]::new));
    }

    /** The registry on 127.0.0.1 of a cluster started with a real node (or {@code --registry}). */
    public String registry() {
        return "127.0.0.1:" + env.get("KMM_REGISTRY_PORT");
    }

    /** The same registry at the real node's address, which pods reach too (in-cluster builds push there). */
    public String nodeRegistry() {
        return env.getOrDefault("KMM_NODE_IP", "198.18.0.1") + ":" + env.get("KMM_REGISTRY_PORT");
    }

    /** The real node's registry that wants credentials (basic authentication), at the node's address. */
    public record AuthRegistry(String address, String user, String password) {
    }

    public AuthRegistry authRegistry() throws Exception {
        Map<String, String> v = new java.util.HashMap<>();
        for (String line : control("registry-auth", new String[0]).lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                v.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return new AuthRegistry(v.get("ADDRESS"), v.get("USER"), v.get("PASSWORD"));
    }

    /** {@code dev/local-cluster COMMAND ARGS}, e.g. {@code restart-kubelet --uname-2.6}. */
    public String control(String command, String... args) throws Exception {
        List<String> c = new ArrayList<>(List.of(script.toString(), command));
        c.addAll(List.of(args));
        Result r = run(env, Duration.ofMinutes(3), c);
        if (r.code() != 0) {
            throw new IllegalStateException("dev/local-cluster " + command + " failed: " + r.stderr() + r.stdout());
        }
        return r.stdout();
    }

    public Path kubeconfig() {
        return state.resolve("admin.kubeconfig");
    }

    public Path caCertificate() {
        return state.resolve("pki/ca.crt");
    }

    public Path auditLog() {
        return state.resolve("audit.log");
    }

    /** The API server's URL (127.0.0.1, or the real node's address when the cluster has one). */
    public String url() {
        return url;
    }

    /** A cluster-admin client (the test's, not the operator's). */
    public KubernetesClient admin() {
        return admin;
    }

    /** {@code dev/local-cluster kubectl ARGS}: the real kubectl, as cluster admin, from the project directory. */
    public Result kubectl(String... args) throws Exception {
        return kubectlWithInput(null, args);
    }

    public Result kubectlWithInput(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(script.toString(), "kubectl"));
        command.addAll(List.of(args));
        return run(env, Duration.ofMinutes(2), command, stdin);
    }

    /** {@code kubectl ARGS} in the background (e.g. {@code logs -f}), its output in {@code output}. */
    public Process kubectlInBackground(Path output, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(script.toString(), "kubectl"));
        command.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        b.environment().putAll(env);
        b.environment().remove("KUBECONFIG");
        return b.start();
    }

    /**
     * A shell script as a user runs it from the project directory (e.g. a block of the docs), with {@code kubectl}
     * the real kubectl of this cluster as cluster admin; {@code set -e}.
     */
    public Result shell(String commands) throws Exception {
        String prelude = "set -e\nkubectl() { '" + script + "' kubectl \"$@\"; }\n";
        return run(env, Duration.ofMinutes(8), List.of("bash", "-c", prelude + commands));
    }

    /** Runs {@code kubectl} and fails with its output unless it exits 0. */
    public String kubectlOk(String... args) throws Exception {
        Result r = kubectl(args);
        if (r.code() != 0) {
            throw new IllegalStateException("kubectl " + String.join(" ", args) + " failed (" + r.code() + "): "
                    + r.stderr() + r.stdout());
        }
        return r.stdout();
    }

    /** {@code dev/local-cluster COMMAND}, e.g. {@code stop-apiserver}, {@code restart-etcd}. */
    public void control(String command) throws Exception {
        control(command, new String[0]);
    }

    /** A Node kwok runs, with this kernel in {@code status.nodeInfo.kernelVersion}. */
    public Node addNode(String name, String kernel, Map<String, String> labels) {
        Map<String, String> l = new LinkedHashMap<>(labels);
        l.put("kubernetes.io/hostname", name);
        l.put("kubernetes.io/os", "linux");
        return admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).withLabels(l)
                .withAnnotations(Map.of(KWOK_ANNOTATION, "fake")).endMetadata()
                .withNewStatus().withNewNodeInfo().withKernelVersion(kernel).endNodeInfo().endStatus().build())
                .create();
    }

    /** A kernel upgrade, as the kubelet reports it after the reboot: a status update of the Node. */
    public void setKernel(String node, String kernel) {
        // kwok heartbeats the same status: a conflict is retried on the latest version, as a kubelet would
        for (int attempt = 1;; attempt++) {
            try {
                admin.nodes().withName(node).editStatus(n -> {
                    n.getStatus().getNodeInfo().setKernelVersion(kernel);
                    return n;
                });
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    public void down() {
        try {
            admin.close();
            Result r = run(env, Duration.ofMinutes(3), List.of(script.toString(), "down"));
            if (r.code() != 0) {
                System.err.println("[local-cluster] down failed (" + r.code() + "): " + r.stderr() + r.stdout());
            }
        } catch (Exception e) {
            System.err.println("[local-cluster] down failed: " + e);
        }
    }

    public record Result(int code, String stdout, String stderr) {
    }

    static Result run(Map<String, String> env, Duration timeout, List<String> command) throws Exception {
        return run(env, timeout, command, null);
    }

    static Result run(Map<String, String> env, Duration timeout, List<String> command, String stdin)
            throws Exception {
        Path out = Files.createTempFile("local-cluster", ".out");
        Path err = Files.createTempFile("local-cluster", ".err");
        try {
            ProcessBuilder b = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            b.environment().putAll(env);
            b.environment().remove("KUBECONFIG");
            Process p = b.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Free ports of 127.0.0.1 for every component, as dev/local-cluster's environment (KMM_*_PORT). */
    public static Map<String, String> freePorts() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        java.util.Set<Integer> taken = new java.util.HashSet<>();
        for (String key : List.of("KMM_APISERVER_PORT", "KMM_KCM_PORT", "KMM_SCHEDULER_PORT", "KMM_KWOK_PORT")) {
            int port = freePort();
            while (!taken.add(port)) {
                port = freePort();
            }
            env.put(key, Integer.toString(port));
        }
        int etcd = freePort(); // etcd also listens on the next port (peers), which must be free too
        while (taken.contains(etcd) || taken.contains(etcd + 1) || !isFree(etcd + 1)) {
            etcd = freePort();
        }
        env.put("KMM_ETCD_PORT", Integer.toString(etcd));
        return env;
    }

    /** Whether this port of 127.0.0.1 can be listened on now. */
    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
