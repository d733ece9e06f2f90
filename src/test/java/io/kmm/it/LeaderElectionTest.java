package io.kmm.it;

import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kmm.rbac.ShippedRoles;
import io.kmm.rbac.ShippedRoles.Grant;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Leader election as it runs in the cluster: the operator takes the Lease in its namespace (within the Role the
 * install manifests grant there, which the request audit checks) before it reconciles, and reports itself ready as
 * the leader.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = LeaderElectionTest.RulesReview.class)
@TestProfile(LeaderElectionTest.WithLeaderElection.class)
class LeaderElectionTest extends ClusterTestBase {

    public static class WithLeaderElection implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.operator-sdk.activate-leader-election-for-profiles", "test",
                    "kmm.leader-election.lease-namespace", "kmm-system");
        }
    }

    /**
     * Before taking the Lease, the Operator SDK asks the API server which rules it has in the Lease's namespace (a
     * SelfSubjectRulesReview, allowed to every authenticated user). The mock server cannot answer that: answer what a
     * real API server would for the shipped Role.
     */
    public static class RulesReview implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            List<ResourceRule> rules = new ArrayList<>();
            for (Grant g : ShippedRoles.load().grants()) {
                rules.add(new ResourceRuleBuilder().withApiGroups(g.group()).withResources(g.resource())
                        .withVerbs(g.verb()).build());
            }
            server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                    .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewMetadata().endMetadata()
                            .withNewSpec().withNamespace("kmm-system").endSpec()
                            .withNewStatus().withResourceRules(rules).withIncomplete(false).endStatus().build())
                    .always();
        }
    }

    @TestHTTPResource("/q/health/ready")
    URL ready;

    @Test
    void theLeaderHoldsTheLeaseAndReconciles() throws Exception {
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> {
            Lease lease = client.leases().inNamespace("kmm-system").withName("kmm-operator-lock").get();
            assertThat(lease).isNotNull();
            assertThat(lease.getSpec().getHolderIdentity()).isNotEmpty();
        });
        Map<String, String> pool = Map.of("pool", "leader");
        cluster.addNode("leader-1", "6.8.0-lead", pool);
        cluster.apply(module("leader", "mod", pool, regexp("lead$", "reg/mod:${KERNEL_FULL_VERSION}")));
        await().atMost(Cluster.TIMEOUT).until(() -> cluster.loaders("leader", "mod").size() == 1);
        await().atMost(Cluster.TIMEOUT).untilAsserted(() -> {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(ready.toString())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"role\": \"leader\"");
        });
    }
}
