package io.kmm.it;

import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Module;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** Loader DaemonSets are updated in place when the Module changes, and repaired when someone changes them. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class DaemonSetUpdatesTest extends ClusterTestBase {

    String image() {
        return cluster.loaders("updates", "mod").get(0).getSpec().getTemplate().getSpec().getContainers().get(0)
                .getImage();
    }

    @Test
    void imageChangeUpdatesInPlaceAndDriftIsRepaired() {
        Map<String, String> pool = Map.of("pool", "updates");
        cluster.addNode("updates-1", "6.6.0-upd", pool);
        cluster.apply(module("updates", "mod", pool, regexp("upd$", "reg/mod:v1-${KERNEL_XYZ}")));
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders("updates", "mod").size() == 1);
        DaemonSet original = cluster.loaders("updates", "mod").get(0);
        String name = original.getMetadata().getName();
        client.apps().daemonSets().inNamespace("updates").withName(name).edit(ds -> {
            ds.getMetadata().getLabels().put("team", "storage");
            return ds;
        });

        // The Module changes: same DaemonSet, new image, the label someone else added is kept.
        client.resources(Module.class).inNamespace("updates").withName("mod").edit(m -> {
            m.getSpec().getKernelMappings().get(0).setContainerImage("reg/mod:v2-${KERNEL_XYZ}");
            return m;
        });
        await().atMost(Cluster.TIMEOUT).until(() -> "reg/mod:v2-6.6.0".equals(image()));
        DaemonSet updated = cluster.loaders("updates", "mod").get(0);
        assertThat(updated.getMetadata().getName()).isEqualTo(name);
        assertThat(updated.getMetadata().getLabels()).containsEntry("team", "storage");
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> assertThat(cluster.events("updates", "mod"))
                .extracting(Event::getReason).contains("DaemonSetUpdated"));

        // Someone edits the image: restored.
        client.apps().daemonSets().inNamespace("updates").withName(name).edit(ds -> {
            ds.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("someone/else:latest");
            return ds;
        });
        await().atMost(Cluster.TIMEOUT).until(() -> "reg/mod:v2-6.6.0".equals(image()));

        // Someone deletes it: recreated.
        client.apps().daemonSets().inNamespace("updates").withName(name).delete();
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders("updates", "mod").size() == 1
                && cluster.loaders("updates", "mod").get(0).getMetadata().getUid() != null
                && !cluster.loaders("updates", "mod").get(0).getMetadata().getUid()
                        .equals(updated.getMetadata().getUid()));
        assertThat(image()).isEqualTo("reg/mod:v2-6.6.0");
    }
}
