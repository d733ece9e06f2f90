package io.kmm.it;

import static io.kmm.TestModules.literal;
import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.kmm.api.v1alpha1.Module;
import io.kmm.status.Conditions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** Mistakes in one Module are reported in its status and do not stop other Modules. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ModuleErrorsTest extends ClusterTestBase {

    @Test
    void invalidRegexpIsDegradedWhileAnotherModuleReconciles() {
        Map<String, String> pool = Map.of("pool", "errors");
        cluster.addNode("errors-1", "5.4.0-1054-gke", pool);
        cluster.apply(module("errors", "broken", pool, literal("other", "reg/a"), regexp("gke($", "reg/b")));
        cluster.apply(module("errors", "good", pool, regexp("gke$", "reg/good:${KERNEL_FULL_VERSION}")));

        cluster.awaitCondition("errors", "broken", Conditions.DEGRADED, "True");
        Condition degraded = Conditions.find(cluster.module("errors", "broken").getStatus().getConditions(),
                Conditions.DEGRADED).orElseThrow();
        assertThat(degraded.getReason()).isEqualTo("InvalidKernelMapping");
        assertThat(degraded.getMessage()).startsWith("spec.kernelMappings[1].regexp: invalid regular expression")
                .contains("(kernels: 5.4.0-1054-gke)");
        assertThat(cluster.condition("errors", "broken", Conditions.READY)).isEqualTo("False");
        assertThat(cluster.loaders("errors", "broken")).isEmpty();
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> assertThat(cluster.events("errors", "broken"))
                .extracting(Event::getReason, Event::getType)
                .contains(org.assertj.core.groups.Tuple.tuple("InvalidKernelMapping", "Warning")));

        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders("errors", "good").size() == 1);
        assertThat(cluster.condition("errors", "good", Conditions.DEGRADED)).isEqualTo("False");
        cluster.markAvailable(cluster.loaders("errors", "good").get(0), 1);
        cluster.awaitCondition("errors", "good", Conditions.READY, "True");
    }

    @Test
    void fixingTheMistakeClearsDegradedAndAnUnknownVariableIsNamed() {
        Map<String, String> pool = Map.of("pool", "fixing");
        cluster.addNode("fixing-1", "6.5.0", pool);
        cluster.apply(module("fixing", "typo", pool, regexp(".*", "reg/mod:${KERNEL_VERISON}")));
        cluster.awaitCondition("fixing", "typo", Conditions.DEGRADED, "True");
        assertThat(Conditions.find(cluster.module("fixing", "typo").getStatus().getConditions(), Conditions.DEGRADED)
                .orElseThrow().getMessage()).contains("spec.kernelMappings[0].containerImage")
                .contains("unknown variable ${KERNEL_VERISON}");

        client.resources(Module.class).inNamespace("fixing").withName("typo").edit(m -> {
            m.getSpec().getKernelMappings().get(0).setContainerImage("reg/mod:${KERNEL_FULL_VERSION}");
            return m;
        });
        cluster.awaitCondition("fixing", "typo", Conditions.DEGRADED, "False");
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders("fixing", "typo").size() == 1);
        assertThat(cluster.loaders("fixing", "typo").get(0).getSpec().getTemplate().getSpec().getContainers().get(0)
                .getImage()).isEqualTo("reg/mod:6.5.0");
    }

    @Test
    void signingWithoutASignImageIsReportedAndStartsNothing() {
        // The shipped configuration: kmm.build.sign-image=${RELATED_IMAGE_SIGN:}, and no RELATED_IMAGE_SIGN here.
        Map<String, String> pool = Map.of("pool", "unsigned");
        cluster.addNode("unsigned-1", "6.5.0", pool);
        Module m = module("unsigned", "signs", pool, regexp(".*", "reg/mod:${KERNEL_FULL_VERSION}"));
        io.kmm.api.v1alpha1.Sign sign = new io.kmm.api.v1alpha1.Sign();
        sign.setUnsignedImage("vendor/mod:${KERNEL_FULL_VERSION}");
        sign.setKeySecret(new io.fabric8.kubernetes.api.model.LocalObjectReference("key"));
        sign.setCertSecret(new io.fabric8.kubernetes.api.model.LocalObjectReference("cert"));
        sign.setFilesToSign(java.util.List.of("/opt/lib/modules/${KERNEL_FULL_VERSION}/mod.ko"));
        m.getSpec().setSign(sign);
        cluster.apply(m);
        cluster.awaitCondition("unsigned", "signs", Conditions.DEGRADED, "True");
        Condition degraded = Conditions.find(cluster.module("unsigned", "signs").getStatus().getConditions(),
                Conditions.DEGRADED).orElseThrow();
        assertThat(degraded.getReason()).isEqualTo("SigningNotConfigured");
        assertThat(degraded.getMessage()).contains("kmm.build.sign-image");
        assertThat(client.batch().v1().jobs().inNamespace("unsigned").list().getItems()).isEmpty();
        assertThat(cluster.loaders("unsigned", "signs")).isEmpty();
    }
}
