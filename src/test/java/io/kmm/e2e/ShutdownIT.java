package io.kmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.OptionalInt;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kmm.process.OperatorProcess;

/**
 * The packaged operator (prod profile, leader election on, as the ServiceAccount) stops within a pod's grace period
 * on SIGTERM in every case: a clean stop (it gives its Lease up, so the next operator need not wait for it to expire),
 * the API server unreachable, its credentials revoked, its Lease deleted. Before, JOSDK's exit-on-stop-leading called
 * System.exit from inside the shutdown and the process hung until it was killed.
 */
class ShutdownIT {

    /** The kubelet's default terminationGracePeriodSeconds. */
    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final String LEASE = "kmm-operator-lock";

    private static LocalCluster cluster;
    private static Installation installation;

    @BeforeAll
    static void install() throws Exception {
        cluster = LocalCluster.shared();
        installation = Installation.ensure();
    }

    @AfterAll
    static void reinstall() throws Exception {
        // the revoked-credentials case deleted the ServiceAccount
        Installation.reinstall();
    }

    private static Lease lease() {
        return cluster.admin().leases().inNamespace(Installation.NAMESPACE).withName(LEASE).get();
    }

    /** A leader: the Lease is deleted first, so that no earlier holder's Lease has to expire. */
    private static OperatorProcess leader() throws Exception {
        cluster.kubectlOk("-n", Installation.NAMESPACE, "delete", "lease", LEASE, "--ignore-not-found");
        OperatorProcess operator = installation.launchOperator(Installation.QUICK_LEASE);
        operator.awaitReady(Duration.ofSeconds(90));
        await().atMost(Duration.ofSeconds(60)).until(() -> lease() != null
                && lease().getSpec().getHolderIdentity() != null);
        return operator;
    }

    private static void assertStopsWithinTheGracePeriod(OperatorProcess operator) throws Exception {
        OptionalInt status = operator.terminate(GRACE);
        assertThat(status).as("the operator stopped within %s of SIGTERM:\n%s", GRACE, operator.output())
                .isPresent();
        assertThat(operator.output()).doesNotContain("Exiting.");
    }

    @Test
    void aCleanStopGivesTheLeaseUp() throws Exception {
        OperatorProcess operator = leader();
        String holder = lease().getSpec().getHolderIdentity();
        assertStopsWithinTheGracePeriod(operator);
        assertThat(operator.output()).contains("leader election: Lease " + Installation.NAMESPACE + "/" + LEASE
                + " released");
        Lease after = lease();
        assertThat(after.getSpec().getHolderIdentity()).isNull();
        assertThat(after.getSpec().getLeaseDurationSeconds()).isEqualTo(1);
        // the next operator takes it over at once
        OperatorProcess next = installation.launchOperator(Installation.QUICK_LEASE);
        try {
            next.awaitReady(Duration.ofSeconds(90));
            await().atMost(Duration.ofSeconds(60)).until(() -> lease().getSpec().getHolderIdentity() != null
                    && !lease().getSpec().getHolderIdentity().equals(holder));
        } finally {
            assertStopsWithinTheGracePeriod(next);
        }
    }

    @Test
    void theApiServerUnreachable() throws Exception {
        OperatorProcess operator = leader();
        cluster.control("stop-apiserver");
        try {
            assertStopsWithinTheGracePeriod(operator);
            assertThat(operator.output()).contains("not released");
        } finally {
            cluster.control("start-apiserver");
        }
    }

    @Test
    void itsCredentialsRevoked() throws Exception {
        OperatorProcess operator = leader();
        // its token is refused from now on (the ServiceAccount it names is gone), as after an uninstall
        cluster.kubectlOk("-n", Installation.NAMESPACE, "delete", "serviceaccount", Installation.SERVICE_ACCOUNT);
        assertStopsWithinTheGracePeriod(operator);
        cluster.kubectlOk("apply", "-k", "kubernetes/");
    }

    @Test
    void itsLeaseDeleted() throws Exception {
        OperatorProcess operator = leader();
        cluster.kubectlOk("-n", Installation.NAMESPACE, "delete", "lease", LEASE);
        assertStopsWithinTheGracePeriod(operator);
    }
}
