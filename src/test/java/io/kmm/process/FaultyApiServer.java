package io.kmm.process;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kmm.rbac.ApiAudit;

/**
 * The fabric8 mock API server (CRUD mode) on 127.0.0.1 with faults that are hard to provoke on a real API server:
 * it answers 409 Conflict to chosen requests and can be slow for chosen requests. The test's own client ({@link
 * #client()}) is never failed and its requests are not logged: {@link #requests()} holds only the operator's.
 * (Outages are shown on the real control plane, io.kmm.e2e.FaultsIT. The outage this class used to simulate
 * restarted the mock server under the same dispatcher, whose watch notifications then ran on the stopped server's
 * executor: the likely cause of the RejectedExecutionException with which OperatorFaultsIT once timed out.)
 */
public final class FaultyApiServer implements AutoCloseable {

    /** Requests carrying this header are the test's own: never failed, never logged. */
    static final String TEST_HEADER = "X-Kmm-Test";

    /** The mock server logs every request at INFO through java.util.logging; referenced so that the level holds. */
    private static final Logger QUIET = Logger.getLogger("io.fabric8.mockwebserver");

    private final FaultDispatcher dispatcher = new FaultDispatcher();
    private KubernetesMockServer server;
    private int port;
    private KubernetesClient client;

    public FaultyApiServer() throws IOException {
        QUIET.setLevel(Level.WARNING);
        listen(0);
        for (String file : new String[] { "modules", "preflightvalidations" }) {
            try (InputStream crd = Files.newInputStream(Path.of("kubernetes/crd/" + file
                    + ".ooto.sigs.k8s.io-v1.yml"))) {
                client().resource(client().getKubernetesSerialization().unmarshal(crd,
                        CustomResourceDefinition.class)).create();
            }
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    public int port() {
        return port;
    }

    /** The test's client: always served, not logged. */
    public synchronized KubernetesClient client() {
        if (client == null) {
            client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(url())
                    .withTrustCerts(true).withNamespace("default").withUserAgent(ApiAudit.TEST_USER_AGENT)
                    .withCustomHeaders(Map.of(TEST_HEADER, "true")).withRequestRetryBackoffLimit(0).build()).build();
        }
        return client;
    }

    /** The next {@code count} operator requests with this method and a path matching the regexp get 409 Conflict. */
    public void conflict(String method, String pathRegexp, int count) {
        dispatcher.faults.add(new Fault(method, Pattern.compile(pathRegexp), new AtomicInteger(count), null));
    }

    /**
     * Every operator request with this method and a path matching the regexp is answered after a delay. The mock
     * server has one event loop, so the whole server waits meanwhile: use it to slow a phase down, not to model one
     * slow endpoint.
     */
    public void slow(String method, String pathRegexp, Duration delay) {
        dispatcher.faults.add(new Fault(method, Pattern.compile(pathRegexp), new AtomicInteger(Integer.MAX_VALUE), delay));
    }

    /** Conflicts still to be answered (0 when the operator has met them all). */
    public int pendingConflicts() {
        return dispatcher.faults.stream().filter(f -> f.delay() == null).mapToInt(f -> Math.max(0, f.left().get()))
                .sum();
    }

    /** The operator's requests so far, as {@code METHOD path}. */
    public List<String> requests() {
        return List.copyOf(dispatcher.log);
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
        }
        server.destroy();
    }

    private void listen(int wanted) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), wanted);
        port = server.getPort();
    }

    private record Fault(String method, Pattern path, AtomicInteger left, Duration delay) {
    }

    private static final class FaultDispatcher extends KubernetesCrudDispatcher {

        final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
        final List<String> log = new CopyOnWriteArrayList<>();

        FaultDispatcher() {
            super(List.of());
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            if (request.getHeader(TEST_HEADER) != null) {
                return super.dispatch(request);
            }
            String path = request.getPath();
            log.add(request.getMethod() + " " + path);
            if (request.getMethod().equals("POST") && path.startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
                // The Operator SDK checks its Lease rights before leader election; the CRUD store cannot answer.
                return new MockResponse().setResponseCode(201).setBody("{\"apiVersion\":\"authorization.k8s.io/v1\","
                        + "\"kind\":\"SelfSubjectRulesReview\",\"status\":{\"incomplete\":false,\"resourceRules\":"
                        + "[{\"verbs\":[\"get\",\"create\",\"update\",\"patch\"],\"apiGroups\":[\"coordination.k8s.io\"],"
                        + "\"resources\":[\"leases\"]}]}}");
            }
            for (Fault fault : faults) {
                if (fault.method().equals(request.getMethod()) && fault.path().matcher(path).find()
                        && fault.left().getAndDecrement() > 0) {
                    if (fault.delay() == null) {
                        return status(409, "Conflict", "the object has been modified; please apply your changes to "
                                + "the latest version and try again (test conflict)");
                    }
                    try {
                        Thread.sleep(fault.delay().toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            return super.dispatch(request);
        }

        private static MockResponse status(int code, String reason, String message) {
            return new MockResponse().setResponseCode(code).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                    + "\"status\":\"Failure\",\"reason\":\"" + reason + "\",\"message\":\"" + message + "\",\"code\":"
                    + code + "}");
        }
    }
}
