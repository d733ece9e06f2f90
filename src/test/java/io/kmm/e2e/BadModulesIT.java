package io.kmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.kmm.BadModules;
import io.kmm.api.v1alpha1.Module;
import io.kmm.status.Conditions;
import io.kmm.process.OperatorProcess;

/**
 * Every mistake of the {@link BadModules} table applied with the real kubectl to the real API server, which runs the
 * CRD's schema and CEL rules: each is either rejected with the table's message, or admitted and then reported in the
 * Module's status by the operator; the good Module next to them becomes Ready all the same.
 */
class BadModulesIT {

    static {
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NS = BadModules.NAMESPACE;

    private static Scenario scenario;
    private static LocalCluster cluster;
    private static Kube kube;
    private static OperatorProcess operator;

    @BeforeAll
    static void start() throws Exception {
        scenario = Scenario.begin(BadModulesIT.class, NS);
        cluster = scenario.cluster;
        kube = scenario.kube;
        cluster.addNode("bad-1", BadModules.KERNEL, Map.of("pool", BadModules.POOL));
        cluster.addNode("bad-2", BadModules.KERNEL, Map.of("pool", BadModules.POOL));
        cluster.admin().secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata()
                .withName(BadModules.OPAQUE_SECRET).endMetadata().withType("Opaque")
                .withData(Map.of("password", b64("s3cret"))).build()).create();
        cluster.admin().secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata()
                .withName(BadModules.GARBLED_SECRET).endMetadata().withType("Opaque")
                .withData(Map.of(".dockerconfigjson", b64("{not json"))).build()).create();
        operator = scenario.startOperator(Installation.QUICK_LEASE);
    }

    @AfterAll
    static void stop() throws Exception {
        scenario.finish("bad-1", "bad-2");
    }

    @Test
    void everyMistakeIsRejectedOrReportedAndTheGoodModuleBecomesReady() throws Exception {
        List<String> wrong = new ArrayList<>();
        List<BadModules.Case> admitted = new ArrayList<>();
        for (BadModules.Case c : BadModules.all()) {
            LocalCluster.Result r = cluster.kubectlWithInput(JSON.writeValueAsString(c.module()), "apply", "-f", "-");
            String answer = (r.stderr() + r.stdout()).strip();
            if (c.schemaError() != null) {
                if (r.code() == 0 || !answer.contains(c.schemaError())) {
                    wrong.add(c.name() + ": expected rejection containing \"" + c.schemaError() + "\", got ("
                            + r.code() + ") " + answer);
                }
            } else if (r.code() != 0) {
                wrong.add(c.name() + ": expected admission, got " + answer);
            } else {
                admitted.add(c);
            }
        }
        assertThat(wrong).as("the real API server's answers that differ from the table").isEmpty();

        cluster.kubectlWithInput(JSON.writeValueAsString(BadModules.good("good")), "apply", "-f", "-");
        await().atMost(Duration.ofSeconds(90)).until(() -> "True".equals(kube.conditionStatus(NS, "good",
                Conditions.READY)));

        for (BadModules.Case c : admitted) {
            String name = c.module().path("metadata").path("name").asText();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                Module m = kube.module(NS, name);
                Condition degraded = Conditions.find(m.getStatus().getConditions(), Conditions.DEGRADED)
                        .orElseThrow();
                assertThat(degraded.getStatus()).as(c.mistake()).isEqualTo("True");
                assertThat(degraded.getReason()).as(c.mistake()).isEqualTo(c.statusReason());
                assertThat(degraded.getMessage()).as(c.mistake()).contains(c.statusMessage());
            });
            assertThat(kube.loaders(NS, name)).as("%s: no loader", c.mistake()).isEmpty();
        }
        assertThat(operator.output()).doesNotContain("s3cret");
    }

    /**
     * A failure no validation can foresee: a ResourceQuota that allows no DaemonSet makes the API server refuse the
     * loader with 403. The Module's Degraded condition says so ({@code DaemonSetRejected}, with the API server's
     * answer); once the quota is gone, the retry (with backoff) rolls the Module out and the condition clears.
     */
    @Test
    void anUnexpectedRefusalEndsInTheModulesStatus() throws Exception {
        String ns = "e2e-quota";
        cluster.kubectlOk("create", "namespace", ns);
        try {
            cluster.kubectlOk("create", "quota", "no-daemonsets", "-n", ns, "--hard=count/daemonsets.apps=0");
            io.kmm.api.v1alpha1.Module m = io.kmm.TestModules.module(ns, "quota", Map.of("pool", BadModules.POOL),
                    io.kmm.TestModules.literal(BadModules.KERNEL, "quay.io/vendor/quota:1"));
            m.getMetadata().setUid(null);
            m.getMetadata().setGeneration(null);
            cluster.kubectlWithInput(JSON.writeValueAsString(m), "apply", "-f", "-");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                Condition degraded = kube.condition(ns, "quota", Conditions.DEGRADED).orElseThrow();
                assertThat(degraded.getStatus()).isEqualTo("True");
                assertThat(degraded.getReason()).isEqualTo("DaemonSetRejected");
                assertThat(degraded.getMessage()).contains("was rejected by the API server")
                        .contains("exceeded quota");
                assertThat(kube.conditionStatus(ns, "quota", Conditions.READY)).isEqualTo("False");
            });
            cluster.kubectlOk("delete", "quota", "no-daemonsets", "-n", ns);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(kube.conditionStatus(ns, "quota", Conditions.DEGRADED)).isEqualTo("False");
                assertThat(kube.conditionStatus(ns, "quota", Conditions.READY)).isEqualTo("True");
            });
        } finally {
            cluster.kubectl("delete", "namespace", ns, "--wait=false");
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
