package io.kmm.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kmm.TestModules;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;
import io.kmm.status.Conditions;
import io.kmm.rbac.ApiAudit;
import io.quarkus.test.kubernetes.client.KubernetesServer;

/** What a test needs to act on the mock cluster, and to play the controllers the mock server does not run. */
public final class Cluster {

    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final KubernetesClient client;
    private final KubernetesServer server;

    public Cluster(KubernetesClient client, KubernetesServer server) {
        this.client = client;
        this.server = server;
    }

    public KubernetesClient client() {
        return client;
    }

    public Node addNode(String name, String kernel, Map<String, String> labels) {
        return client.nodes().resource(TestModules.node(name, kernel, labels)).create();
    }

    /** Reports a new kernel for a node, as the kubelet does after a reboot into it. */
    public void setKernel(String node, String kernel) {
        Node n = client.nodes().withName(node).get();
        n.getStatus().getNodeInfo().setKernelVersion(kernel);
        client.nodes().resource(n).updateStatus();
    }

    public void setLabels(String node, Map<String, String> labels) {
        Node n = client.nodes().withName(node).get();
        n.getMetadata().setLabels(new java.util.LinkedHashMap<>(labels));
        client.nodes().resource(n).update();
    }

    public Module apply(Module module) {
        return client.resource(module).create();
    }

    public Module load(Path yaml, String namespace) throws IOException {
        try (InputStream in = Files.newInputStream(yaml)) {
            Module module = client.getKubernetesSerialization().unmarshal(in, Module.class);
            module.getMetadata().setNamespace(namespace);
            return module;
        }
    }

    public Module module(String namespace, String name) {
        return client.resources(Module.class).inNamespace(namespace).withName(name).get();
    }

    public List<DaemonSet> daemonSets(String namespace, String module, String role) {
        return client.apps().daemonSets().inNamespace(namespace)
                .withLabel(Labels.MODULE_NAME, module).withLabel(Labels.ROLE, role).list().getItems();
    }

    public List<DaemonSet> loaders(String namespace, String module) {
        return daemonSets(namespace, module, Labels.ROLE_MODULE_LOADER);
    }

    public List<Event> events(String namespace, String module) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> module.equals(e.getInvolvedObject().getName())).toList();
    }

    /** Plays the DaemonSet controller: every pod of the DaemonSet is scheduled, up to date and available. */
    public void markAvailable(DaemonSet ds, int pods) {
        DaemonSet current = client.apps().daemonSets().inNamespace(ds.getMetadata().getNamespace())
                .withName(ds.getMetadata().getName()).get();
        current.setStatus(new DaemonSetStatusBuilder()
                .withObservedGeneration(current.getMetadata().getGeneration())
                .withCurrentNumberScheduled(pods).withDesiredNumberScheduled(pods).withNumberReady(pods)
                .withNumberAvailable(pods).withUpdatedNumberScheduled(pods).withNumberMisscheduled(0).build());
        client.resource(current).updateStatus();
    }

    public String condition(String namespace, String module, String type) {
        Module m = module(namespace, module);
        if (m == null || m.getStatus() == null) {
            return null;
        }
        return Conditions.find(m.getStatus().getConditions(), type).map(c -> c.getStatus()).orElse(null);
    }

    public void awaitCondition(String namespace, String module, String type, String status) {
        await().atMost(TIMEOUT).until(() -> status.equals(condition(namespace, module, type)));
    }

    /** Forgets every request recorded so far. */
    public void drainRequests() throws InterruptedException {
        ApiAudit.take(server);
    }

    /** The operator's requests recorded since the last drain, as "METHOD path" (the test's own left out). */
    public List<String> recordedRequests() throws InterruptedException {
        List<String> requests = new ArrayList<>();
        for (RecordedRequest r : ApiAudit.take(server)) {
            if (ApiAudit.fromOperator(r)) {
                requests.add(r.getMethod() + " " + r.getPath());
            }
        }
        return requests;
    }

    public static boolean isWrite(String request) {
        return !request.startsWith("GET ");
    }
}
