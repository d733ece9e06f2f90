package io.kmm.dev;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.kmm.config.KmmConfig;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.kubernetes.client.KubernetesConfigCustomizer;

/**
 * Dev mode only ({@code ./mvnw quarkus:dev}): when no Kubernetes cluster is configured, or the configured one does
 * not answer, points the operator's client at the local control plane of {@code dev/local-cluster} when its
 * binaries are built ({@link LocalDevCluster}), and otherwise starts an embedded API server (the fabric8 mock server
 * in CRUD mode, the one the fast tests use) on 127.0.0.1. Its classes are on the dev-mode classpath only (Maven scope
 * {@code provided}): the production build neither contains this bean nor the server.
 */
@Singleton
@IfBuildProfile("dev")
public class EmbeddedApiServer implements KubernetesConfigCustomizer {

    private static final Logger LOG = Logger.getLogger(EmbeddedApiServer.class);
    private static final int PROBE_TIMEOUT_MILLIS = 2000;

    @Inject
    KmmConfig kmm;

    @ConfigProperty(name = "quarkus.kubernetes-client.api-server-url")
    Optional<String> explicitApiServer;

    private KubernetesMockServer server;
    private Path localKubeconfig;

    @Override
    public void customize(Config config) {
        String why = reasonToEmbed(config);
        if (why == null) {
            LOG.infof("Using the Kubernetes cluster at %s", config.getMasterUrl());
            return;
        }
        if (kmm.dev().embeddedApiServer() != KmmConfig.EmbeddedApiServerMode.ON && startLocalCluster(config, why)) {
            return;
        }
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        int port = kmm.dev().embeddedApiServerPort();
        if (port != 0 && !portFree(port)) {
            LOG.warnf("Port %d (kmm.dev.embedded-api-server-port) is taken: the embedded API server uses a free port "
                    + "instead", port);
            port = 0;
        }
        server.init(InetAddress.getLoopbackAddress(), port);
        String url = server.url("/");
        config.setMasterUrl(url);
        config.setNamespace("default");
        config.setTrustCerts(true);
        clearCredentials(config);
        LOG.warnf("%n%n  *** %s: started an EMBEDDED Kubernetes API server at %s ***%n"
                + "  It is an in-memory test server: nothing runs on real nodes, and kubectl cannot use it (it serves "
                + "no discovery). Example nodes and Modules are loaded from dev/cluster/.%n"
                + "  For a real local control plane that kubectl can use, run dev/local-cluster build once (about 6 "
                + "minutes) and restart.%n  To use a real cluster, point your kubeconfig at it (or set "
                + "kmm.dev.embedded-api-server=off) and restart.%n", why, url);
    }

    /** Starts (or finds) the local control plane and points the client at it; false when it is not to be used. */
    private boolean startLocalCluster(Config config, String why) {
        KmmConfig.EmbeddedApiServerMode mode = kmm.dev().localCluster();
        LocalDevCluster local = new LocalDevCluster(kmm.dev().localClusterEnv());
        if (mode == KmmConfig.EmbeddedApiServerMode.OFF || !local.scriptPresent()) {
            return false;
        }
        if (mode == KmmConfig.EmbeddedApiServerMode.AUTO && !local.built()) {
            LOG.infof("The local control plane is not built: dev/local-cluster build builds it from Go modules "
                    + "(about 6 minutes, once per machine); dev mode then uses it and kubectl works");
            return false;
        }
        try {
            Path kubeconfig = local.up();
            local.installCrd();
            Config admin = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
            config.setMasterUrl(admin.getMasterUrl());
            config.setCaCertFile(admin.getCaCertFile());
            config.setTrustCerts(false);
            config.setNamespace("default");
            clearCredentials(config);
            config.setClientCertFile(admin.getClientCertFile());
            config.setClientKeyFile(admin.getClientKeyFile());
            localKubeconfig = kubeconfig;
            LOG.infof("%n%n  *** %s: using the LOCAL control plane at %s ***%n"
                    + "  A real kube-apiserver, controller-manager and scheduler, with kwok for simulated nodes (no "
                    + "real machines, no containers run) and a simulated registry (an image exists once its build Job "
                    + "completed here; nothing is pushed). Example nodes and Modules are loaded from dev/cluster/.%n"
                    + "  kubectl:  dev/local-cluster kubectl get nodes,modules,daemonsets,pods -A%n"
                    + "        or  export KUBECONFIG=%s%n"
                    + "  It keeps running after dev mode ends: dev/local-cluster down stops it.%n",
                    why, admin.getMasterUrl(), kubeconfig);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Could not start the local control plane (%s); starting the embedded API server instead",
                    e.getMessage());
            return false;
        }
    }

    private static void clearCredentials(Config config) {
        config.setOauthToken(null);
        config.setUsername(null);
        config.setPassword(null);
        config.setClientCertFile(null);
        config.setClientCertData(null);
        config.setClientKeyFile(null);
        config.setClientKeyData(null);
    }

    /** Whether the embedded server is running. */
    public boolean isRunning() {
        return server != null;
    }

    /** Whether dev mode runs on the local control plane of dev/local-cluster. */
    public boolean isLocalCluster() {
        return localKubeconfig != null;
    }

    /** The local control plane's admin kubeconfig, when dev mode runs on it. */
    public Optional<Path> localKubeconfig() {
        return Optional.ofNullable(localKubeconfig);
    }

    /** The reason to start the embedded server, or null to use the configured cluster. */
    String reasonToEmbed(Config config) {
        switch (kmm.dev().embeddedApiServer()) {
            case ON:
                return "kmm.dev.embedded-api-server=on";
            case OFF:
                return null;
            default:
                break;
        }
        if (!clusterConfigured()) {
            return "No Kubernetes cluster is configured (no kubeconfig, not running in a pod)";
        }
        if (!reachable(config.getMasterUrl())) {
            return "The configured Kubernetes cluster at " + config.getMasterUrl() + " does not answer";
        }
        return null;
    }

    private boolean clusterConfigured() {
        if (explicitApiServer.isPresent() || System.getenv("KUBERNETES_SERVICE_HOST") != null) {
            return true;
        }
        // Same precedence as the Kubernetes client: the kubeconfig system property, then $KUBECONFIG, then ~/.kube.
        String files = System.getProperty("kubeconfig", System.getenv("KUBECONFIG"));
        if (files == null || files.isBlank()) {
            files = Path.of(System.getProperty("user.home"), ".kube", "config").toString();
        }
        for (String file : files.split(java.io.File.pathSeparator)) {
            if (!file.isBlank() && Files.isRegularFile(Path.of(file))) {
                return true;
            }
        }
        return false;
    }

    private static boolean portFree(int port) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean reachable(String masterUrl) {
        try {
            URI uri = URI.create(masterUrl);
            int port = uri.getPort() != -1 ? uri.getPort() : "http".equals(uri.getScheme()) ? 80 : 443;
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(uri.getHost(), port), PROBE_TIMEOUT_MILLIS);
                return true;
            }
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    @PreDestroy
    void stop() {
        if (server != null) {
            server.destroy();
        }
    }
}
