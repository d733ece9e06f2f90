package io.kmm.it;

import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.kmm.api.v1alpha1.Module;
import io.kmm.status.Conditions;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** What Prometheus scrapes and what the kubelet probes, as a user would read them. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class MetricsAndHealthTest extends ClusterTestBase {

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @TestHTTPResource("/q/health/ready")
    URL ready;

    @TestHTTPResource("/q/health/live")
    URL live;

    @TestHTTPResource("/q/health")
    URL health;

    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> get(URL url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of one series, or null when it is not exposed. */
    Double value(String series) throws IOException, InterruptedException {
        String body = get(metrics).body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(body);
        return m.find() ? Double.valueOf(m.group(1)) : null;
    }

    @Test
    void moduleMetricsFollowTheStatusAndGoAwayWithTheModule() throws Exception {
        Map<String, String> pool = Map.of("pool", "metrics");
        cluster.addNode("metrics-1", "6.7.0-met", pool);
        cluster.addNode("metrics-2", "6.7.0-met", pool);
        Module m = module("metrics", "mod", pool, regexp("met$", "reg/met:${KERNEL_FULL_VERSION}"));
        m.getSpec().setDevicePlugin(new ContainerBuilder().withName("dp").withImage("reg/met-plugin:1").build());
        cluster.apply(m);
        String tags = "{module=\"mod\",namespace=\"metrics\"}";

        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders("metrics", "mod").size() == 1);
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> {
            assertThat(value("kmm_module_nodes_targeted" + tags)).isEqualTo(2.0);
            assertThat(value("kmm_module_nodes_available" + tags)).isEqualTo(0.0);
            assertThat(value("kmm_module_ready" + tags)).isEqualTo(0.0);
        });
        cluster.markAvailable(cluster.loaders("metrics", "mod").get(0), 2);
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.daemonSets("metrics", "mod", "device-plugin").size() == 1);
        cluster.markAvailable(cluster.daemonSets("metrics", "mod", "device-plugin").get(0), 2);
        cluster.awaitCondition("metrics", "mod", Conditions.READY, "True");
        awaitMetrics(() -> {
            assertThat(value("kmm_module_nodes_available" + tags)).isEqualTo(2.0);
            assertThat(value("kmm_module_ready" + tags)).isEqualTo(1.0);
            assertThat(value("kmm_module_degraded" + tags)).isEqualTo(0.0);
            assertThat(value("kmm_module_device_plugin_nodes_available" + tags)).isEqualTo(2.0);
            assertThat(value("kmm_modules")).isGreaterThanOrEqualTo(1.0);
            assertThat(value("kmm_device_plugins")).isGreaterThanOrEqualTo(1.0);
            assertThat(value("kmm_node_label_updates_total")).isGreaterThanOrEqualTo(2.0);
        });

        // The Operator SDK's reconcile metrics, per controller.
        String body = get(metrics).body();
        assertThat(body).containsPattern("operator_sdk_reconciliations_started_total\\{[^}]*kind=\"Module\"")
                .containsPattern("operator_sdk_reconciliations_success_total\\{[^}]*kind=\"Module\"")
                .containsPattern("operator_sdk_reconciliations_started_total\\{[^}]*kind=\"Node\"")
                .containsPattern("operator_sdk_controllers_execution_reconcile_seconds_count\\{controller=\"module\"")
                .containsPattern("operator_sdk_controllers_execution_reconcile_seconds_count\\{controller=\"node-labeller\"")
                .containsPattern("operator_sdk_events_received_total\\{[^}]*kind=\"Module\"")
                .contains("kmm_builds_total{result=\"failed\"}")
                .contains("kmm_registry_check_failures_total{reason=\"unreachable\"}");
        // Every KMM metric says what it counts (Prometheus' HELP line, named without _total), counters included.
        java.util.List<String> help = body.lines().filter(l -> l.startsWith("# HELP kmm_")).toList();
        assertThat(help).extracting(l -> l.split(" ", 4)[2]).contains("kmm_builds", "kmm_node_label_updates",
                "kmm_registry_check_failures", "kmm_modules", "kmm_module_ready");
        assertThat(help).allSatisfy(l -> assertThat(l.split(" ", 4)).as(l).hasSize(4)
                .satisfies(parts -> assertThat(parts[3]).isNotBlank()));
        // No per-resource series: thousands of Nodes must not mean thousands of series.
        assertThat(body).doesNotContain("name=\"metrics-1\"");

        client.resources(Module.class).inNamespace("metrics").withName("mod").delete();
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> {
            assertThat(value("kmm_module_nodes_targeted" + tags)).isNull();
            assertThat(value("kmm_module_ready" + tags)).isNull();
        });
    }

    /** Waits for the assertions; on a timeout, shows the KMM series as they were. */
    void awaitMetrics(org.awaitility.core.ThrowingRunnable assertions) throws Exception {
        try {
            await().atMost(Cluster.TIMEOUT).untilAsserted(assertions);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder kmm = new StringBuilder();
            get(metrics).body().lines().filter(l -> l.startsWith("kmm_")).forEach(l -> kmm.append(l).append('\n'));
            throw new AssertionError("metrics not as expected:\n" + kmm, e);
        }
    }

    @Test
    void healthEndpoints() throws Exception {
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> {
            HttpResponse<String> r = get(ready);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"kmm-informers-synced\"").contains("\"role\": \"single\"");
        });
        HttpResponse<String> l = get(live);
        assertThat(l.statusCode()).isEqualTo(200);
        assertThat(l.body()).contains("\"kmm-operator-started\"").doesNotContain("kmm-informers-synced");
        // /q/health lists every check: each name says which one failed
        HttpResponse<String> all = get(health);
        java.util.List<String> names = new com.fasterxml.jackson.databind.ObjectMapper().readTree(all.body())
                .path("checks").findValuesAsText("name");
        assertThat(names).contains("kmm-informers-synced", "kmm-operator-started").doesNotHaveDuplicates();
        assertThat(get(ready).body()).doesNotContain("Quarkus Operator SDK health check");
    }
}
