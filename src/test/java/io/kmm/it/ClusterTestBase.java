package io.kmm.it;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;

/**
 * What every scenario test has: the mock API server, the operator's client and a {@link Cluster}. Subclasses carry
 * {@code @QuarkusTest @WithKubernetesTestServer(crud = true)}, the same on every class.
 */
abstract class ClusterTestBase {

    static {
        // A status not written yet makes a lambda like module.getStatus().getKernels() throw: retry, do not fail.
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    Cluster cluster;

    @BeforeEach
    void setUpCluster() {
        cluster = new Cluster(client, server);
    }
}
