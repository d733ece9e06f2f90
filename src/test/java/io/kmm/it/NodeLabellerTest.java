package io.kmm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.kmm.meta.LabelValues;
import io.kmm.meta.Labels;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** The node labeller (kernel labels here; module-ready labels in ModuleReadyIT and DevicePluginTest). */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class NodeLabellerTest extends ClusterTestBase {

    String label(String node) {
        return client.nodes().withName(node).get().getMetadata().getLabels().get(Labels.KERNEL_VERSION);
    }

    @Test
    void oddKernelStringsBecomeValidLabelsAndOtherLabelsAreKept() {
        String plus = "6.8.0-rc1+";
        // 64 characters, as long as a kernel release may be (uname's limit), one more than a label value
        String longOne = "5.14.0-284.11.1.el9_2.x86_64+debug-with-a-long-local-version-x64";
        cluster.addNode("labeller-plus", plus, Map.of("team", "a"));
        cluster.addNode("labeller-long", longOne, Map.of("team", "b"));
        await().atMost(Cluster.TIMEOUT).until(() -> label("labeller-plus") != null && label("labeller-long") != null);
        assertThat(label("labeller-plus")).isEqualTo(LabelValues.normalise(plus)).startsWith("6.8.0-rc1-");
        assertThat(label("labeller-long")).isEqualTo(LabelValues.normalise(longOne)).hasSizeLessThanOrEqualTo(63);
        assertThat(client.nodes().withName("labeller-plus").get().getMetadata().getLabels()).containsEntry("team", "a");
        // the operator's client read these nodes' watch events in one pass (WatchEventDeserialization); the test's
        // own client is not customised, so only the operator's reads count
        assertThat(io.kmm.operator.WatchEventDeserialization.directReads()).isPositive();
    }

    @Test
    void aKernelStringThatIsNoReleaseGetsNoLabelAndIsReported() {
        cluster.addNode("labeller-hostile", "6.1.0\nRUN curl evil", Map.of());
        cluster.addNode("labeller-huge", "6." + "1".repeat(200), Map.of());
        cluster.addNode("labeller-fine", "6.1.0-13-amd64", Map.of());
        await().atMost(Cluster.TIMEOUT).until(() -> label("labeller-fine") != null);
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> assertThat(client.v1().events().inNamespace("default")
                .list().getItems()).filteredOn(e -> "InvalidKernelVersion".equals(e.getReason()))
                .extracting(e -> e.getInvolvedObject().getName())
                .contains("labeller-hostile", "labeller-huge"));
        assertThat(label("labeller-hostile")).isNull();
        assertThat(label("labeller-huge")).isNull();
        assertThat(client.v1().events().inNamespace("default").list().getItems()).filteredOn(e ->
                "labeller-hostile".equals(e.getInvolvedObject().getName())).singleElement()
                .satisfies(e -> assertThat(e.getMessage()).contains("\\x0a").doesNotContain("\n"));
    }

    @Test
    void aWrongLabelIsCorrected() {
        cluster.addNode("labeller-wrong", "6.1.0", Map.of());
        await().atMost(Cluster.TIMEOUT).until(() -> "6.1.0".equals(label("labeller-wrong")));
        cluster.setLabels("labeller-wrong", Map.of(Labels.KERNEL_VERSION, "1.2.3", "keep", "me"));
        await().atMost(Cluster.TIMEOUT).until(() -> "6.1.0".equals(label("labeller-wrong")));
        assertThat(client.nodes().withName("labeller-wrong").get().getMetadata().getLabels()).containsEntry("keep",
                "me");
    }

    @Test
    void heartbeatsCauseNoWork() throws Exception {
        cluster.addNode("labeller-heartbeat", "6.2.0", Map.of());
        await().atMost(Cluster.TIMEOUT).until(() -> "6.2.0".equals(label("labeller-heartbeat")));
        Thread.sleep(500);
        cluster.drainRequests();
        for (int i = 0; i < 5; i++) {
            Node n = client.nodes().withName("labeller-heartbeat").get();
            n.getStatus().setConditions(List.of(new NodeConditionBuilder().withType("Ready").withStatus("True")
                    .withLastHeartbeatTime("2026-01-01T00:00:0" + i + "Z").build()));
            client.nodes().resource(n).updateStatus();
        }
        Thread.sleep(2000);
        List<String> writes = cluster.recordedRequests().stream().filter(Cluster::isWrite)
                .filter(r -> !r.equals("PUT /api/v1/nodes/labeller-heartbeat/status")).toList();
        assertThat(writes).as("writes caused by node heartbeats").isEmpty();
    }
}
