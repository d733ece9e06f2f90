package io.kmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kmm.rbac.ApiAudit;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;

/**
 * What every scenario test has: the mock API server, a client of its own and a {@link Cluster}. Subclasses carry
 * {@code @QuarkusTest @WithKubernetesTestServer(crud = true)}, the same on every class.
 * <p>
 * The test's client is not the operator's: it sends {@code User-Agent: kmm-tests}, so that what the operator itself
 * sends can be told apart and checked against the shipped roles after every test ({@link ApiAudit}).
 */
abstract class ClusterTestBase {

    static {
        // A status not written yet makes a lambda like module.getStatus().getKernels() throw: retry, do not fail.
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    private static final Map<String, KubernetesClient> TEST_CLIENTS = new ConcurrentHashMap<>();

    @KubernetesTestServer
    KubernetesServer server;

    /** The operator's client, as injected into its beans. */
    @Inject
    KubernetesClient operatorClient;

    /** The test's own client: what a user or another controller would do. */
    KubernetesClient client;

    Cluster cluster;

    @BeforeEach
    void setUpCluster() {
        client = TEST_CLIENTS.computeIfAbsent(operatorClient.getConfiguration().getMasterUrl(),
                url -> new KubernetesClientBuilder().withConfig(new ConfigBuilder(operatorClient.getConfiguration())
                        .withUserAgent(ApiAudit.TEST_USER_AGENT).build()).build());
        cluster = new Cluster(client, server);
    }

    @AfterEach
    void operatorStayedWithinItsRoles() throws InterruptedException {
        cluster.drainRequests();
        assertThat(ApiAudit.takeDenied())
                .as("requests the operator sent that src/main/kubernetes/kubernetes.yml's roles do not allow")
                .isEmpty();
    }
}
