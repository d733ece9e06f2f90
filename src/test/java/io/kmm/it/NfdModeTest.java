package io.kmm.it;

import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.Map;


import org.junit.jupiter.api.Test;

import io.kmm.meta.Labels;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** With kmm.kernel-label-source=nfd, KMM's labeller is off and loaders select nodes by NFD's kernel label. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(NfdModeTest.Nfd.class)
class NfdModeTest extends ClusterTestBase {

    public static class Nfd implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kmm.kernel-label-source", "nfd");
        }
    }

    @Test
    void loadersSelectByTheNfdLabelAndNodesAreNotRelabelled() throws Exception {
        Map<String, String> labels = Map.of("pool", "nfd", Labels.NFD_KERNEL_VERSION, "6.5.0-nfd");
        cluster.addNode("nfd-1", "6.5.0-nfd", labels);
        cluster.apply(module("nfd", "mod", Map.of("pool", "nfd"), regexp("nfd$", "reg/mod:${KERNEL_FULL_VERSION}")));
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders("nfd", "mod").size() == 1);
        assertThat(cluster.loaders("nfd", "mod").get(0).getSpec().getTemplate().getSpec().getNodeSelector())
                .containsEntry(Labels.NFD_KERNEL_VERSION, "6.5.0-nfd").doesNotContainKey(Labels.KERNEL_VERSION);
        Thread.sleep(1000);
        assertThat(client.nodes().withName("nfd-1").get().getMetadata().getLabels())
                .doesNotContainKey(Labels.KERNEL_VERSION);
    }
}
