package io.kmm.operator;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import io.javaoperatorsdk.operator.health.Status;
import io.quarkiverse.operatorsdk.runtime.QuarkusConfigurationService;

/**
 * What /q/health/ready and /q/health/live mean (replacing quarkus-operator-sdk's readiness check, excluded in
 * application.properties):
 * <ul>
 * <li><b>ready</b>: every informer of every controller has synced its cache and is watching. A replica that waits for
 * the leader-election Lease (no informer started yet) is ready too, as a standby: otherwise a two-replica Deployment
 * could never roll out. A short API outage does not make it not ready: the client reconnects its watches by itself
 * and the informers count as watching meanwhile (OperatorFaultsIT shows this).</li>
 * <li><b>live</b>: the operator has started and was not stopped. It does not depend on the API server, so an outage
 * never gets the pod restarted: the informers reconnect on their own.</li>
 * </ul>
 */
public final class OperatorHealth {

    private OperatorHealth() {
    }

    /** The check's name in /q/health/ready: which check failed must be clear from the name alone. */
    static final String READY = "kmm-informers-synced";
    /** The check's name in /q/health/live. */
    static final String LIVE = "kmm-operator-started";

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {

        @Inject
        Operator operator;

        @Inject
        QuarkusConfigurationService configuration;

        @Override
        public HealthCheckResponse call() {
            HealthCheckResponseBuilder response = HealthCheckResponse.named(READY);
            if (!operator.getRuntimeInfo().isStarted()) {
                return response.down().withData("operator", "not started").build();
            }
            List<String> running = new ArrayList<>();
            List<String> unhealthy = new ArrayList<>();
            for (RegisteredController<?> controller : operator.getRuntimeInfo().getRegisteredControllers()) {
                String name = controller.getConfiguration().getName();
                for (var source : controller.getControllerHealthInfo().informerEventSourceHealthIndicators()
                        .entrySet()) {
                    for (InformerHealthIndicator informer : informers(source.getValue())) {
                        String id = name + "/" + source.getKey();
                        if (informer.isRunning()) {
                            running.add(id);
                        }
                        if (informer.getStatus() != Status.HEALTHY) {
                            unhealthy.add(id + (informer.hasSynced() ? "" : " (not synced)")
                                    + (informer.isWatching() ? "" : " (not watching)"));
                        }
                    }
                }
            }
            boolean leaderElection = configuration.getLeaderElectionConfiguration().isPresent();
            if (leaderElection && running.isEmpty() && !unhealthy.isEmpty()) {
                return response.up().withData("role", "standby: waiting for the leader-election Lease").build();
            }
            if (!unhealthy.isEmpty()) {
                return response.down().withData("unhealthy", String.join(", ", unhealthy)).build();
            }
            return response.up().withData("role", leaderElection ? "leader" : "single").build();
        }
    }

    @SuppressWarnings("unchecked")
    static java.util.Collection<InformerHealthIndicator> informers(InformerWrappingEventSourceHealthIndicator<?> source) {
        return ((java.util.Map<String, InformerHealthIndicator>) (java.util.Map<?, ?>) source.informerHealthIndicators())
                .values();
    }

    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {

        @Inject
        Operator operator;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named(LIVE).status(operator.getRuntimeInfo().isStarted()).build();
        }
    }
}
