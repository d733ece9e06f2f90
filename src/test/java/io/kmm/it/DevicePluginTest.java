package io.kmm.it;

import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;
import io.kmm.status.Conditions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** Adding and removing spec.devicePlugin. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class DevicePluginTest extends ClusterTestBase {

    @Test
    void devicePluginAddedThenRemoved() {
        Map<String, String> pool = Map.of("pool", "dp");
        cluster.addNode("dp-1", "6.5.0-gpu", pool);
        cluster.apply(module("dp", "gpu", pool, regexp("gpu$", "reg/gpu:${KERNEL_FULL_VERSION}")));
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders("dp", "gpu").size() == 1);
        cluster.markAvailable(cluster.loaders("dp", "gpu").get(0), 1);
        cluster.awaitCondition("dp", "gpu", Conditions.READY, "True");
        assertThat(cluster.daemonSets("dp", "gpu", Labels.ROLE_DEVICE_PLUGIN)).isEmpty();

        client.resources(Module.class).inNamespace("dp").withName("gpu").edit(m -> {
            m.getSpec().setDevicePlugin(new ContainerBuilder().withName("x").withImage("reg/gpu-plugin:1").build());
            return m;
        });
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.daemonSets("dp", "gpu", Labels.ROLE_DEVICE_PLUGIN)
                .size() == 1);
        DaemonSet dp = cluster.daemonSets("dp", "gpu", Labels.ROLE_DEVICE_PLUGIN).get(0);
        var container = dp.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("reg/gpu-plugin:1");
        assertThat(container.getSecurityContext().getPrivileged()).isTrue();
        assertThat(container.getVolumeMounts()).extracting(m -> m.getMountPath())
                .contains("/var/lib/kubelet/device-plugins");
        // Ready waits for the device plugin too.
        cluster.awaitCondition("dp", "gpu", Conditions.READY, "False");
        cluster.markAvailable(dp, 1);
        cluster.awaitCondition("dp", "gpu", Conditions.READY, "True");

        client.resources(Module.class).inNamespace("dp").withName("gpu").edit(m -> {
            m.getSpec().setDevicePlugin(null);
            return m;
        });
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.daemonSets("dp", "gpu", Labels.ROLE_DEVICE_PLUGIN)
                .isEmpty());
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.module("dp", "gpu").getStatus().getDevicePlugin() == null);
        assertThat(cluster.loaders("dp", "gpu")).hasSize(1);
    }
}
