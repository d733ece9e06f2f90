package io.kmm.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZonedDateTime;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

/** Giving the Lease up on shutdown: only the holder's, cleared and made to expire at once. */
@EnableKubernetesMockClient(crud = true)
class LeaseReleaseTest {

    static KubernetesClient client;

    static Lease lease(String holder) {
        return new LeaseBuilder().withNewMetadata().withName("kmm-operator-lock").withNamespace("kmm-system")
                .endMetadata().withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(137)
                .withLeaseTransitions(3).withRenewTime(ZonedDateTime.now()).endSpec().build();
    }

    @Test
    void theHolderReleasesItsLease() {
        client.leases().inNamespace("kmm-system").resource(lease("pod-a")).create();
        assertThat(LeaseRelease.release(client, "kmm-system", "kmm-operator-lock", "pod-a")).isTrue();
        Lease l = client.leases().inNamespace("kmm-system").withName("kmm-operator-lock").get();
        assertThat(l.getSpec().getHolderIdentity()).isNull();
        assertThat(l.getSpec().getLeaseDurationSeconds()).isEqualTo(1);
        assertThat(l.getSpec().getLeaseTransitions()).isEqualTo(3);
        client.leases().inNamespace("kmm-system").withName("kmm-operator-lock").delete();
    }

    @Test
    void anotherHoldersLeaseOrNoneIsLeftAlone() {
        assertThat(LeaseRelease.release(client, "kmm-system", "kmm-operator-lock", "pod-a")).isFalse();
        client.leases().inNamespace("kmm-system").resource(lease("pod-b")).create();
        assertThat(LeaseRelease.release(client, "kmm-system", "kmm-operator-lock", "pod-a")).isFalse();
        assertThat(client.leases().inNamespace("kmm-system").withName("kmm-operator-lock").get().getSpec()
                .getHolderIdentity()).isEqualTo("pod-b");
        client.leases().inNamespace("kmm-system").withName("kmm-operator-lock").delete();
    }
}
