package io.kmm.operator;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.kmm.config.KmmConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;

/**
 * The leader-election Lease. quarkus-operator-sdk asks for this bean in the profiles named by
 * {@code quarkus.operator-sdk.activate-leader-election-for-profiles} (prod, i.e. in the cluster); without it (or with
 * {@code kmm.leader-election.enabled=false}) every replica reconciles. Only the Lease holder starts its informers and
 * reconciles; a replica that loses the Lease exits and is restarted as a standby.
 */
@Singleton
public class LeaderElection {

    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    /** This process's identity in the Lease (set when leader election is configured), for {@link LeaseRelease}. */
    private volatile String identity;
    private volatile KmmConfig.LeaderElection settings;

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
        // application is stopped and started again inside one JVM. Not through the Java Operator SDK's own
        // exit-on-stop-leading: it also runs when the operator stops on SIGTERM, and its System.exit from inside the
        // shutdown then waits for the shutdown itself, for ever (the pod was killed at the end of its grace period).
        boolean exitOnLostLease = LaunchMode.current() == LaunchMode.NORMAL;
        if (le.renewDeadline().compareTo(le.leaseDuration()) >= 0) {
            throw new IllegalArgumentException("kmm.leader-election.renew-deadline ("
                    + io.kmm.meta.Durations.text(le.renewDeadline()) + ") must be shorter than "
                    + "kmm.leader-election.lease-duration (" + io.kmm.meta.Durations.text(le.leaseDuration()) + ")");
        }
        // The pod's name, as the Java Operator SDK would take it; known here so that the Lease can be released.
        String host = System.getenv("HOSTNAME");
        identity = host == null || host.isBlank() ? java.util.UUID.randomUUID().toString() : host;
        settings = le;
        LeaderCallbacks callbacks = new LeaderCallbacks(() -> {
        }, () -> lostLease(exitOnLostLease), leader -> {
        });
        return new LeaderElectionConfiguration(le.leaseName(), le.leaseNamespace().orElse(null), le.leaseDuration(),
                le.renewDeadline(), le.retryPeriod(), identity, callbacks, false);
    }

    /** Set as soon as the application begins to stop: no longer leading is then expected, not a lost Lease. */
    private static volatile boolean stopping;

    void onStop(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        stopping = true;
    }

    static void lostLease(boolean exit) {
        if (stopping) {
            return;
        }
        LOG.errorf("leader election: the Lease was lost (not renewed within kmm.leader-election.renew-deadline)%s",
                exit ? "; exiting, to start again as a standby" : "");
        if (exit) {
            // from a thread of its own: the exit runs the shutdown, which stops the thread that called this
            new Thread(() -> System.exit(1), "kmm-lost-lease-exit").start();
        }
    }

    /** Empty when this process does not take part in leader election. */
    java.util.Optional<String> identity() {
        return java.util.Optional.ofNullable(identity);
    }

    KmmConfig.LeaderElection settings() {
        return settings;
    }
}
