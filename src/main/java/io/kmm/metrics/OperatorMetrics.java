package io.kmm.metrics;

import java.util.Map;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * The Operator SDK's metrics (reconciliations started, succeeded, failed, retried and their duration, events
 * received, per controller) without per-resource series: quarkus-operator-sdk's default collects them per resource,
 * which means several series for each of thousands of Nodes. Also tells {@link KmmMetrics} when a Module is deleted.
 */
@Singleton
public class OperatorMetrics {

    @Produces
    @Singleton
    Metrics metrics(MeterRegistry registry, KmmMetrics kmm,
            jakarta.enterprise.event.Event<io.kmm.status.ModuleDeleted> deleted) {
        return new Forwarding(MicrometerMetrics.newMicrometerMetricsBuilder(registry).notCollectingMetricsPerResource()
                .build(), kmm, deleted);
    }

    /**
     * The Operator SDK tags its meters with the API group of the reconciled kind, and leaves the tag out for the
     * core group (Nodes). Prometheus needs one set of tag keys per metric name, so without this the Module
     * controller's series (which have the tag) would be dropped once the node labeller's (which do not) exist.
     */
    @Produces
    @Singleton
    MeterFilter coreGroupTag() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (!id.getName().startsWith("operator.sdk.")) {
                    return id;
                }
                if (id.getTag("kind") != null && id.getTag("group") == null) {
                    id = id.withTag(Tag.of("group", "core"));
                }
                if (id.getTag("resource.kind") != null && id.getTag("resource.group") == null) {
                    id = id.withTag(Tag.of("resource.group", "core"));
                }
                return id;
            }
        };
    }

    /** Every call goes to the Operator SDK's metrics; deletions of Modules also reach {@link KmmMetrics}. */
    record Forwarding(Metrics delegate, KmmMetrics kmm,
            jakarta.enterprise.event.Event<io.kmm.status.ModuleDeleted> deleted) implements Metrics {

        @Override
        public void controllerRegistered(Controller<? extends HasMetadata> controller) {
            delegate.controllerRegistered(controller);
        }

        @Override
        public void receivedEvent(Event event, Map<String, Object> metadata) {
            delegate.receivedEvent(event, metadata);
        }

        @Override
        public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
            delegate.reconcileCustomResource(resource, retryInfo, metadata);
        }

        @Override
        public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
            delegate.failedReconciliation(resource, exception, metadata);
        }

        @Override
        public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
            delegate.reconciliationExecutionStarted(resource, metadata);
        }

        @Override
        public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
            delegate.reconciliationExecutionFinished(resource, metadata);
        }

        @Override
        public void cleanupDoneFor(ResourceID resourceID, Map<String, Object> metadata) {
            delegate.cleanupDoneFor(resourceID, metadata);
            resourceID.getNamespace().ifPresent(ns -> {
                kmm.moduleDeleted(ns, resourceID.getName());
                deleted.fire(new io.kmm.status.ModuleDeleted(ns, resourceID.getName()));
            });
        }

        @Override
        public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
            delegate.finishedReconciliation(resource, metadata);
        }

        @Override
        public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
            return delegate.timeControllerExecution(execution);
        }

        @Override
        public <T extends Map<?, ?>> T monitorSizeOf(T map, String name) {
            return delegate.monitorSizeOf(map, name);
        }
    }
}
