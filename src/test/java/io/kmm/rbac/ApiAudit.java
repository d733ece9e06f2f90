package io.kmm.rbac;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kmm.operator.OperatorClientIdentity;
import io.quarkus.test.kubernetes.client.KubernetesServer;

/**
 * Every request the operator sends to the mock API server, across the whole test suite, checked against the shipped
 * roles. The scenario tests take the server's recorded requests only through {@link #take}, so none escapes; the
 * tests' own client ({@link #TEST_USER_AGENT}) is left out. A summary of what the operator used is written to
 * target/rbac-audit.txt.
 */
public final class ApiAudit {

    public static final String TEST_USER_AGENT = "kmm-tests";
    static final Path REPORT = Path.of("target/rbac-audit.txt");

    private static final ShippedRoles ROLES = ShippedRoles.load();
    /**
     * Shared by every copy of this class: Quarkus loads test classes anew for each application restart, so the
     * suite-wide tally lives in a JDK map kept in the system properties.
     */
    @SuppressWarnings("unchecked")
    private static final Map<String, Integer> USED = (Map<String, Integer>) System.getProperties()
            .computeIfAbsent("kmm.test.api-audit", k -> {
                Map<String, Integer> shared = new java.util.concurrent.ConcurrentSkipListMap<>();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> writeReport(shared)));
                return shared;
            });
    private static final List<String> DENIED = new ArrayList<>();

    private ApiAudit() {
    }

    /** Takes (and so removes) every request the server recorded, audits the operator's, and returns them all. */
    public static List<RecordedRequest> take(KubernetesServer server) throws InterruptedException {
        List<RecordedRequest> requests = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.getKubernetesMockServer().takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
            requests.add(r);
            audit(r);
        }
        return requests;
    }

    public static boolean fromOperator(RecordedRequest r) {
        String agent = r.getHeader("User-Agent");
        return agent == null || !agent.startsWith(TEST_USER_AGENT);
    }

    static synchronized void audit(RecordedRequest r) {
        if (!fromOperator(r)) {
            return;
        }
        String agent = r.getHeader("User-Agent");
        ApiRequest request = ApiRequest.parse(r.getMethod(), r.getPath());
        if (request == null) {
            return; // discovery and /version need no RBAC grant (system:discovery)
        }
        if (isCrdInstallOfTests(request) || ShippedRoles.isAllowedToEveryUser(request)) {
            return;
        }
        String key = request.verb() + " " + (request.group().isEmpty() ? "core" : request.group()) + " "
                + request.resource() + (request.namespace() == null ? "" : " (namespaced)");
        USED.merge(key, 1, Integer::sum);
        if (agent == null || !agent.startsWith(OperatorClientIdentity.USER_AGENT_PREFIX)) {
            DENIED.add("request without the operator's User-Agent (" + agent + "): " + request);
        } else if (!ROLES.allows(request)) {
            DENIED.add(request.toString());
        }
    }

    /**
     * In dev and test only, quarkus-operator-sdk installs the generated CRD at start-up
     * (quarkus.operator-sdk.crd.apply, false in the cluster; RbacDocumentationTest checks that).
     */
    static boolean isCrdInstallOfTests(ApiRequest request) {
        return request.group().equals("apiextensions.k8s.io") && request.resource().equals("customresourcedefinitions");
    }

    /** The denied requests seen since the last call, cleared. */
    public static synchronized List<String> takeDenied() {
        List<String> denied = new ArrayList<>(DENIED);
        DENIED.clear();
        return denied;
    }

    public static synchronized Map<String, Integer> used() {
        return new TreeMap<>(USED);
    }

    private static void writeReport(Map<String, Integer> used) {
        StringBuilder text = new StringBuilder("# Requests the operator sent during the tests, by verb, group and resource\n");
        used.forEach((k, v) -> text.append(k).append('\t').append(v).append('\n'));
        try {
            Files.createDirectories(REPORT.getParent());
            Files.writeString(REPORT, text);
        } catch (IOException e) {
            // a report, not a result
        }
    }
}
