package io.kmm.dev;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/**
 * Dev mode only: the real local control plane of {@code dev/local-cluster} (etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok on 127.0.0.1, built from Go modules). {@code up} is idempotent,
 * so a live reload finds the running cluster; the cluster outlives dev mode ({@code dev/local-cluster down} stops it).
 */
final class LocalDevCluster {

    private static final Logger LOG = Logger.getLogger(LocalDevCluster.class);
    static final Path SCRIPT = Path.of("dev", "local-cluster");

    private final Map<String, String> env;

    LocalDevCluster(Map<String, String> env) {
        this.env = env;
    }

    /** Whether the script is there (dev mode runs from the project directory). */
    boolean scriptPresent() {
        return Files.isExecutable(SCRIPT);
    }

    /** Whether the binaries are built (then {@code up} takes seconds). */
    boolean built() {
        return scriptPresent() && run(List.of("built"), 30).code() == 0;
    }

    /** Starts it (building first when needed) and returns the admin kubeconfig. */
    Path up() {
        Result r = run(List.of("up"), 3600);
        String last = r.stdout().strip().lines().reduce((a, b) -> b).orElse("");
        if (r.code() != 0 || !last.startsWith("KUBECONFIG=")) {
            throw new IllegalStateException("dev/local-cluster up failed (" + r.code() + "): " + r.stderr());
        }
        return Path.of(last.substring("KUBECONFIG=".length()));
    }

    /**
     * Installs the Module CRD and waits until the API server serves it: quarkus-operator-sdk applies the CRD in dev
     * mode too, but starts the informers right after, before a real API server has established it (404).
     */
    void installCrd() {
        List<String> apply = new java.util.ArrayList<>(List.of("kubectl", "apply"));
        for (String file : List.of("modules.ooto.sigs.k8s.io-v1.yml", "preflightvalidations.ooto.sigs.k8s.io-v1.yml")) {
            Path crd = Path.of("target", "kubernetes", file);
            apply.addAll(List.of("-f", (Files.isRegularFile(crd) ? crd : Path.of("kubernetes", "crd", file))
                    .toString()));
        }
        installCrds(apply);
    }

    private void installCrds(List<String> command) {
        Result apply = run(command, 120);
        if (apply.code() != 0) {
            throw new IllegalStateException("the Module CRD was not installed: " + apply.stderr());
        }
        // kubectl wait fails at once while the new CRD has no conditions yet: ask again for up to a minute
        Result established = null;
        for (int attempt = 0; attempt < 60 && (established == null || established.code() != 0); attempt++) {
            established = run(List.of("kubectl", "wait", "--for=condition=Established", "--timeout=10s",
                    "crd/modules.ooto.sigs.k8s.io", "crd/preflightvalidations.ooto.sigs.k8s.io"), 30);
            if (established.code() != 0) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (established == null || established.code() != 0) {
            throw new IllegalStateException("the Module CRD was not established: "
                    + (established == null ? "" : established.stderr()));
        }
    }

    private record Result(int code, String stdout, String stderr) {
    }

    private Result run(List<String> args, long timeoutSeconds) {
        List<String> command = new ArrayList<>();
        command.add(SCRIPT.toAbsolutePath().toString());
        command.addAll(args);
        try {
            Path out = Files.createTempFile("kmm-dev-cluster", ".out");
            Path err = Files.createTempFile("kmm-dev-cluster", ".err");
            try {
                ProcessBuilder b = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
                b.environment().putAll(env);
                Process p = b.start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Result(-1, "", "timed out after " + timeoutSeconds + " s");
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            LOG.debugf("dev/local-cluster %s: %s", args, e.getMessage());
            return new Result(-1, "", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "", "interrupted");
        }
    }
}
