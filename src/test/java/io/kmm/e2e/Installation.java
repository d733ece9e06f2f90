package io.kmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.kmm.process.OperatorProcess;
import io.kmm.rbac.ApiRequest;
import io.kmm.rbac.ShippedRoles;

/**
 * The operator as a user installs it: {@code kubectl apply -k kubernetes/} with the real kubectl (CRD with its CEL
 * rules, namespace, ServiceAccount, least-privilege roles, Deployment), then the OLM bundle's CRD. The packaged
 * operator then runs on this machine as that ServiceAccount, with a token from the TokenRequest API, so the real
 * RBAC authorizer allows it exactly what the shipped roles grant.
 */
public final class Installation {

    public static final String NAMESPACE = ShippedRoles.OPERATOR_NAMESPACE;
    public static final String SERVICE_ACCOUNT = "kmm-operator";
    /** The operator's user name in the audit log. */
    public static final String USER = "system:serviceaccount:" + NAMESPACE + ":" + SERVICE_ACCOUNT;
    public static final Path BUNDLE_CRD = Path.of("kubernetes/bundle/manifests/modules.ooto.sigs.k8s.io-v1.crd.yml");

    /**
     * Lease timings for tests that start and stop operators one after the other: a new operator takes over within
     * seconds. The shipped defaults (137 s) are used where an API outage must be ridden out.
     */
    public static final Map<String, String> QUICK_LEASE = Map.of("kmm.leader-election.lease-duration", "4s",
            "kmm.leader-election.renew-deadline", "3s", "kmm.leader-election.retry-period", "1s");

    private static Installation installed;

    private final LocalCluster cluster;
    /** What {@code kubectl apply -k kubernetes/} printed. */
    public final String applyOutput;
    /** The token the last operator started with (it must never be printed). */
    public volatile String lastToken;
    /** What applying the OLM bundle's CRD printed. */
    public final String bundleCrdOutput;

    private Installation(LocalCluster cluster, String applyOutput, String bundleCrdOutput) {
        this.cluster = cluster;
        this.applyOutput = applyOutput;
        this.bundleCrdOutput = bundleCrdOutput;
    }

    /** Installs once per test JVM (the shared cluster). */
    public static synchronized Installation ensure() throws Exception {
        if (installed == null) {
            installed = install(LocalCluster.shared());
        }
        return installed;
    }

    /** Installs again (after a test uninstalled, or installed another version); later classes get this one. */
    public static synchronized Installation reinstall() throws Exception {
        installed = install(LocalCluster.shared());
        return installed;
    }

    /** {@code kubectl apply -k kubernetes/}, then the OLM bundle's CRD, on this cluster. */
    public static Installation install(LocalCluster cluster) throws Exception {
        String apply = cluster.kubectlOk("apply", "-k", "kubernetes/");
        awaitEstablished(cluster);
        String bundle = cluster.kubectlOk("apply", "-f", BUNDLE_CRD.toString(), "-f",
                BUNDLE_CRD.resolveSibling("preflightvalidations.ooto.sigs.k8s.io-v1.crd.yml").toString());
        awaitEstablished(cluster);
        // The Deployment's pod would only be simulated by kwok (it runs nothing): the operator under test is the
        // packaged one, run on this machine with the Deployment's ServiceAccount.
        cluster.kubectlOk("-n", NAMESPACE, "scale", "deployment/kmm-operator", "--replicas=0");
        return new Installation(cluster, apply, bundle);
    }

    /**
     * The operator as it runs in a cluster: {@code kubectl apply -k} of a kustomization (e.g. one that points
     * {@code kubernetes/} at an image of your registry, as docs/install.md shows), its Deployment left to run.
     */
    public static Installation inCluster(LocalCluster cluster, Path kustomization) throws Exception {
        String apply = cluster.kubectlOk("apply", "-k", kustomization.toString());
        awaitEstablished(cluster);
        return new Installation(cluster, apply, "");
    }

    /** kubectl wait fails at once while a new CRD has no conditions yet: ask again for up to a minute. */
    private static void awaitEstablished(LocalCluster cluster) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofMinutes(1).toNanos();
        while (cluster.kubectl("wait", "--for=condition=Established", "--timeout=10s",
                "crd/modules.ooto.sigs.k8s.io", "crd/preflightvalidations.ooto.sigs.k8s.io").code() != 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Module CRD was not established within a minute");
            }
            Thread.sleep(200);
        }
    }

    /** A fresh token of the operator's ServiceAccount (TokenRequest API). */
    public String token() throws Exception {
        return cluster.kubectlOk("-n", NAMESPACE, "create", "token", SERVICE_ACCOUNT, "--duration=2h").strip();
    }

    /** The packaged operator (prod profile, leader election on) as the ServiceAccount. */
    public OperatorProcess launchOperator(Map<String, String> properties) throws Exception {
        return launchOperator(List.of(), properties);
    }

    /** The same, with JVM options (e.g. a heap size or an AppCDS archive). */
    public OperatorProcess launchOperator(List<String> jvmOptions, Map<String, String> properties) throws Exception {
        return launchOperator(jvmOptions, properties, Map.of());
    }

    /** The same, with environment variables (e.g. those the operator image sets). */
    public OperatorProcess launchOperator(List<String> jvmOptions, Map<String, String> properties,
            Map<String, String> environment) throws Exception {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("kmm.leader-election.lease-namespace", NAMESPACE);
        all.put("kmm.registry.allow-local-addresses", "true"); // the tests' registries are on 127.0.0.1
        all.putAll(properties);
        lastToken = token();
        return OperatorProcess.launchAs(OperatorProcess.app(), jvmOptions, cluster.url(), cluster.caCertificate(),
                lastToken, all, environment);
    }

    /**
     * The real authorizer's verdicts on everything the operator sent since {@code since}: nothing denied (a 403 that
     * the authorizer allowed comes from admission: an event in a namespace being deleted), and every (verb, resource)
     * allowed by the shipped roles (which docs/security.md justifies, see RbacDocumentationTest).
     *
     * @return the distinct (verb, group, resource) the operator used
     */
    public List<String> assertLeastPrivilege(Instant since) throws Exception {
        return assertLeastPrivilege(since, List.of());
    }

    /**
     * The same, with windows in which the API server was starting again: until its RBAC caches are filled it denies
     * requests it would allow, and the operator's watches reconnect as soon as the port opens. Denied reads (get, list,
     * watch) inside such a window are printed, not failed; a denied write fails everywhere.
     */
    public List<String> assertLeastPrivilege(Instant since, List<Instant[]> apiServerStarts) throws Exception {
        List<AuditLog.Entry> requests = AuditLog.of(cluster.auditLog(), USER, since).stream().filter(e -> {
            boolean startup = e.forbidden() && List.of("get", "list", "watch").contains(e.verb())
                    && apiServerStarts.stream().anyMatch(w -> !e.time().isBefore(w[0]) && !e.time().isAfter(w[1]));
            if (startup) {
                System.out.println("[least privilege] denied while the API server was starting, not counted: " + e);
            }
            return !startup;
        }).toList();
        assertThat(requests).as("the operator sent requests as its ServiceAccount").isNotEmpty();
        assertThat(requests.stream().filter(AuditLog.Entry::forbidden).map(AuditLog.Entry::toString).distinct())
                .as("requests the real authorizer denied to the operator").isEmpty();
        assertThat(requests.stream().filter(e -> e.code() == 403 && !"allow".equals(e.authorization()))
                .map(AuditLog.Entry::toString).distinct())
                .as("403s without an authorization decision of the API server").isEmpty();
        ShippedRoles roles = ShippedRoles.load();
        List<String> used = new ArrayList<>();
        for (AuditLog.Entry e : requests) {
            if (e.resource().isEmpty()) {
                continue; // non-resource URLs (/version, /api, /apis): open to every authenticated user
            }
            ApiRequest request = new ApiRequest(e.verb(), e.group(), e.resource(), e.namespace(), e.name());
            assertThat(roles.allows(request) || ShippedRoles.isAllowedToEveryUser(request))
                    .as("%s is outside the shipped roles", e).isTrue();
            String key = e.verb() + " " + (e.group().isEmpty() ? "core" : e.group()) + "/" + e.resource();
            if (!used.contains(key)) {
                used.add(key);
            }
        }
        return used;
    }
}
