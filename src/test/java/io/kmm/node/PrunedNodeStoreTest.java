package io.kmm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;

class PrunedNodeStoreTest {

    static Node realNode() {
        return new NodeBuilder().withNewMetadata().withName("worker-1").withUid("u-1").withResourceVersion("42")
                .withLabels(Map.of("kubernetes.io/hostname", "worker-1", "pool", "gpu"))
                .withAnnotations(Map.of("csi.volume.kubernetes.io/nodeid", "{\"ebs\":\"i-1\"}")).endMetadata()
                .withNewSpec().withPodCIDR("10.0.1.0/24").endSpec()
                .withNewStatus().withNewNodeInfo().withKernelVersion("5.14.0-70.el9.x86_64").withOsImage("RHCOS")
                .withKubeletVersion("v1.32.3").endNodeInfo()
                .addNewImage().withNames("quay.io/vendor/a:1").withSizeBytes(100L).endImage()
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addNewAddress().withType("InternalIP").withAddress("10.0.1.7").endAddress().endStatus().build();
    }

    @Test
    void keepsWhatKmmReadsAndNothingElse() {
        Node pruned = PrunedNodeStore.prune(realNode());
        assertThat(pruned.getMetadata().getName()).isEqualTo("worker-1");
        assertThat(pruned.getMetadata().getUid()).isEqualTo("u-1");
        assertThat(pruned.getMetadata().getResourceVersion()).isEqualTo("42");
        assertThat(pruned.getMetadata().getLabels()).containsEntry("pool", "gpu");
        assertThat(NodeKernels.kernelOf(pruned)).hasValue("5.14.0-70.el9.x86_64");
        assertThat(pruned.getMetadata().getAnnotations()).isEmpty();
        assertThat(pruned.getSpec()).isNull();
        assertThat(pruned.getStatus().getImages()).isEmpty();
        assertThat(pruned.getStatus().getConditions()).isEmpty();
        assertThat(pruned.getStatus().getAddresses()).isEmpty();
        assertThat(pruned.getStatus().getNodeInfo().getOsImage()).isNull();
    }

    @Test
    void theStoreHoldsPrunedCopiesUnderTheUsualKey() {
        PrunedNodeStore store = new PrunedNodeStore();
        Node node = realNode();
        store.put(store.getKey(node), node);
        assertThat(store.get("worker-1").getStatus().getImages()).isEmpty();
        assertThat(node.getStatus().getImages()).hasSize(1); // the informer's object is not touched
    }

    @Test
    void aNodeWithoutKernelHasNoStatus() {
        Node pruned = PrunedNodeStore.prune(new NodeBuilder().withNewMetadata().withName("new").endMetadata().build());
        assertThat(pruned.getStatus()).isNull();
        assertThat(NodeKernels.kernelOf(pruned)).isEmpty();
    }
}
