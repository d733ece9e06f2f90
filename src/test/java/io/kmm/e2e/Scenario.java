package io.kmm.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.kmm.process.OperatorProcess;

/**
 * What every end-to-end test class has: the shared local cluster with {@code kubernetes/} installed, a namespace of
 * its own, the packaged operator running as its ServiceAccount, and at the end the real authorizer's verdicts on
 * everything the operator sent (see {@link Installation#assertLeastPrivilege}), the operator's log in
 * {@code target/e2e-logs/}, and the class's namespace and nodes removed.
 */
final class Scenario {

    final LocalCluster cluster;
    final Installation installation;
    final Kube kube;
    final String namespace;
    /** When the class started: the audit log is judged from here on. */
    final Instant since;
    private final String name;
    private OperatorProcess operator;

    private Scenario(String name, String namespace) throws Exception {
        this.name = name;
        this.namespace = namespace;
        this.cluster = LocalCluster.shared();
        this.installation = Installation.ensure();
        this.kube = new Kube(cluster.admin());
        this.since = Instant.now();
        cluster.kubectlOk("create", "namespace", namespace);
    }

    /** The cluster, the install and a new namespace; the operator is started with {@link #startOperator}. */
    static Scenario begin(Class<?> test, String namespace) throws Exception {
        return new Scenario(test.getSimpleName(), namespace);
    }

    /** Starts the packaged operator as the ServiceAccount and waits until it is ready. */
    OperatorProcess startOperator(Map<String, String> properties) throws Exception {
        return startOperator(List.of(), properties);
    }

    /** The same, with JVM options (e.g. the shipped heap). */
    OperatorProcess startOperator(List<String> jvmOptions, Map<String, String> properties) throws Exception {
        // The operators of earlier classes gave their Lease up when they stopped, unless they were killed (FaultsIT):
        // then it stays held until it expires, and an operator with the shipped timings would wait up to 137 s.
        cluster.kubectlOk("-n", Installation.NAMESPACE, "delete", "lease", "kmm-operator-lock", "--ignore-not-found");
        operator = installation.launchOperator(jvmOptions, properties);
        operator.awaitReady(Duration.ofSeconds(90));
        return operator;
    }

    /** Jobs the operator created in this class whose name starts so, from the audit log. */
    long createdJobs(String namePrefix) throws Exception {
        return AuditLog.of(cluster.auditLog(), Installation.USER, since).stream()
                .filter(e -> e.verb().equals("create") && e.resource().equals("jobs") && e.code() == 201)
                .filter(e -> e.name().startsWith(namePrefix)).count();
    }

    /** The operator started last (null once stopped by the test). */
    OperatorProcess operator() {
        return operator;
    }

    /** The test stops the operator itself (e.g. to start others). */
    void forgetOperator() {
        operator = null;
    }

    /**
     * Judges the operator's requests since the class started, keeps its log, stops it and removes the namespace and
     * the given nodes.
     *
     * @return the distinct (verb, resource) the operator used
     */
    List<String> finish(String... nodes) throws Exception {
        return finish(List.of(), nodes);
    }

    /** The same, with the windows in which the test restarted the API server or etcd. */
    List<String> finish(List<Instant[]> apiServerStarts, String... nodes) throws Exception {
        try {
            return installation.assertLeastPrivilege(since, apiServerStarts);
        } finally {
            if (operator != null) {
                Path logs = Path.of("target", "e2e-logs");
                Files.createDirectories(logs);
                Files.writeString(logs.resolve(name + "-operator.log"), operator.output());
                operator.close();
            }
            cluster.kubectl("delete", "namespace", namespace, "--wait=false");
            for (String node : nodes) {
                cluster.admin().nodes().withName(node).delete();
            }
        }
    }
}
