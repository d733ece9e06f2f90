package io.kmm.operator;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Gives the leader-election Lease up on a clean shutdown, as client-go's {@code ReleaseOnCancel} does (the Java Operator
 * SDK keeps it until it expires): the holder is cleared and the duration set to one second, so that the next
 * operator (a rolling update's new pod) takes over at once instead of after {@code kmm.leader-election.lease-duration}.
 * It runs after the operator stopped reconciling, only if this process holds the Lease, and gives up after a few
 * seconds (an unreachable API server, revoked credentials): the Lease then expires as before.
 */
@Singleton
public class LeaseRelease {

    private static final Logger LOG = Logger.getLogger(LeaseRelease.class);
    static final Duration DEADLINE = Duration.ofSeconds(5);

    @Inject
    LeaderElection leaderElection;

    @Inject
    KubernetesClient client;

    // after quarkus-operator-sdk's own shutdown observer (default priority) has stopped the operator
    void onShutdown(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 1000) ShutdownEvent e) {
        String identity = leaderElection.identity().orElse(null);
        if (identity == null) {
            return;
        }
        String namespace = leaderElection.settings().leaseNamespace().orElse(client.getNamespace());
        String name = leaderElection.settings().leaseName();
        // A client of its own: the Java Operator SDK closes the operator's when it stops.
        Config config = new ConfigBuilder(client.getConfiguration()).withRequestTimeout(3_000)
                .withConnectionTimeout(2_000).withRequestRetryBackoffLimit(0).build();
        try (KubernetesClient own = new KubernetesClientBuilder().withConfig(config).build()) {
            CompletableFuture.runAsync(() -> release(own, namespace, name, identity))
                    .get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception ex) {
            LOG.infof("leader election: Lease %s/%s not released (%s); it expires on its own", namespace, name,
                    ex.getCause() == null ? ex : ex.getCause().getMessage());
        }
    }

    /** Clears the holder if it is {@code identity}; a Lease someone else holds (or none) is left alone. */
    static boolean release(KubernetesClient client, String namespace, String name, String identity) {
        Lease lease = client.leases().inNamespace(namespace).withName(name).get();
        if (lease == null || lease.getSpec() == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
            return false;
        }
        lease.getSpec().setHolderIdentity(null);
        lease.getSpec().setLeaseDurationSeconds(1);
        lease.getSpec().setRenewTime(ZonedDateTime.now());
        // an update with the resourceVersion read above: if another operator took the Lease meanwhile, this fails
        client.leases().inNamespace(namespace).resource(lease).update();
        LOG.infof("leader election: Lease %s/%s released", namespace, name);
        return true;
    }
}
