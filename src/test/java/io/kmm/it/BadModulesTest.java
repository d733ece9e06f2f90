package io.kmm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.kmm.BadModules;
import io.kmm.api.v1alpha1.Module;
import io.kmm.module.Conditions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Every Module of the {@link BadModules} table created at once, as raw JSON (the mock API server does not run the
 * CRD's schema, so this is also what a cluster with an older CRD would hold), next to one good Module in the same
 * namespace: each mistake the operator can see is reported in that Module's status with its reason and the field,
 * and the good Module rolls out and becomes Ready while the bad ones sit there.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class BadModulesTest extends ClusterTestBase {

    private static final ResourceDefinitionContext MODULES = new ResourceDefinitionContext.Builder()
            .withGroup(Module.GROUP).withVersion(Module.VERSION).withKind(Module.KIND).withPlural("modules")
            .withNamespaced(true).build();

    @Test
    void everyMistakeIsAnsweredAndTheGoodModuleRollsOut() {
        Map<String, String> pool = Map.of("pool", BadModules.POOL);
        cluster.addNode("bad-1", BadModules.KERNEL, pool);
        cluster.addNode("bad-2", BadModules.KERNEL, pool);
        client.secrets().inNamespace(BadModules.NAMESPACE).resource(new SecretBuilder().withNewMetadata()
                .withName(BadModules.OPAQUE_SECRET).endMetadata().withType("Opaque")
                .withData(Map.of("password", b64("s3cret"))).build()).create();
        client.secrets().inNamespace(BadModules.NAMESPACE).resource(new SecretBuilder().withNewMetadata()
                .withName(BadModules.GARBLED_SECRET).endMetadata().withType("kubernetes.io/dockerconfigjson")
                .withData(Map.of(".dockerconfigjson", b64("{not json"))).build()).create();

        List<BadModules.Case> cases = BadModules.all();
        for (BadModules.Case c : cases) {
            GenericKubernetesResource raw = client.getKubernetesSerialization().convertValue(c.module(),
                    GenericKubernetesResource.class);
            client.genericKubernetesResources(MODULES).inNamespace(BadModules.NAMESPACE).resource(raw).create();
        }
        cluster.apply(client.getKubernetesSerialization().convertValue(BadModules.good("good"), Module.class));

        // The good Module is not held up by the 40-odd bad ones created before it.
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders(BadModules.NAMESPACE, "good").size() == 1);
        cluster.markAvailable(cluster.loaders(BadModules.NAMESPACE, "good").get(0), 2);
        cluster.awaitCondition(BadModules.NAMESPACE, "good", Conditions.READY, "True");
        assertThat(cluster.condition(BadModules.NAMESPACE, "good", Conditions.DEGRADED)).isEqualTo("False");

        for (BadModules.Case c : cases) {
            if (c.statusReason() == null) {
                continue;
            }
            String name = c.module().path("metadata").path("name").asText();
            await().atMost(Cluster.TIMEOUT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                Module m = cluster.module(BadModules.NAMESPACE, name);
                Condition degraded = Conditions.find(m.getStatus().getConditions(), Conditions.DEGRADED)
                        .orElseThrow();
                assertThat(degraded.getStatus()).as(c.mistake()).isEqualTo("True");
                assertThat(degraded.getReason()).as(c.mistake()).isEqualTo(c.statusReason());
                assertThat(degraded.getMessage()).as(c.mistake()).contains(c.statusMessage());
                assertThat(Conditions.find(m.getStatus().getConditions(), Conditions.READY).orElseThrow()
                        .getStatus()).as(c.mistake()).isEqualTo("False");
            });
            assertThat(cluster.loaders(BadModules.NAMESPACE, name)).as("%s: no loader is created", c.mistake())
                    .isEmpty();
        }
        // Secret contents never reach a status.
        assertThat(client.resources(Module.class).inNamespace(BadModules.NAMESPACE).list().getItems())
                .allSatisfy(m -> assertThat(client.getKubernetesSerialization().asJson(m.getStatus()))
                        .doesNotContain("s3cret").doesNotContain("not json"));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
