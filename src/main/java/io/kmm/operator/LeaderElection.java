package io.kmm.operator;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.kmm.config.KmmConfig;
import io.quarkus.runtime.LaunchMode;

/**
 * The leader-election Lease. quarkus-operator-sdk asks for this bean in the profiles named by
 * {@code quarkus.operator-sdk.activate-leader-election-for-profiles} (prod, i.e. in the cluster); without it (or with
 * {@code kmm.leader-election.enabled=false}) every replica reconciles. Only the Lease holder starts its informers and
 * reconciles; a replica that loses the Lease exits and is restarted as a standby.
 */
@Singleton
public class LeaderElection {

    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    @Produces
    @Dependent
    LeaderElectionConfiguration leaderElection(KmmConfig config) {
        KmmConfig.LeaderElection le = config.leaderElection();
        if (!le.enabled()) {
            LOG.warn("kmm.leader-election.enabled=false: run a single replica, or replicas will fight over objects");
            return null;
        }
        LOG.infof("leader election: Lease %s/%s", le.leaseNamespace().orElse("<operator namespace>"), le.leaseName());
        // Losing the Lease ends the process (the pod restarts as a standby), except in tests, where the Quarkus
        // application is stopped and started again inside one JVM.
        boolean exitOnLostLease = LaunchMode.current() == LaunchMode.NORMAL;
        if (le.renewDeadline().compareTo(le.leaseDuration()) >= 0) {
            throw new IllegalArgumentException("kmm.leader-election.renew-deadline (" + le.renewDeadline()
                    + ") must be shorter than kmm.leader-election.lease-duration (" + le.leaseDuration() + ")");
        }
        return new LeaderElectionConfiguration(le.leaseName(), le.leaseNamespace().orElse(null), le.leaseDuration(),
                le.renewDeadline(), le.retryPeriod(), null, null, exitOnLostLease);
    }
}
