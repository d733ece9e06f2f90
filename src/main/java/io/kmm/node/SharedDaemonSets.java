package io.kmm.node;

import jakarta.enterprise.context.ApplicationScoped;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * The operator's one DaemonSet informer (KMM's own DaemonSets, by label), shared. A DaemonSet's status changes with
 * every pod it runs that becomes ready or not, so during a rollout the DaemonSet controller sends thousands of
 * updates, each a whole DaemonSet (with its pod template) to parse once per informer. The Module controller owns the
 * informer ({@link Source}, its secondary source of DaemonSets); the node labeller reads its cache (pruned, see the
 * Module controller's store: Module owners, KMM's labels, spec only where a Module controls it) and hears of its events
 * here, instead of watching the loader DaemonSets itself.
 */
@ApplicationScoped
public class SharedDaemonSets extends SharedCache<DaemonSet> {

    public SharedDaemonSets() {
        super("DaemonSet informer of the Module controller");
    }

    /** The Module controller's DaemonSet source: an informer event source that also tells this bean of each event. */
    public <P extends io.fabric8.kubernetes.api.model.HasMetadata> InformerEventSource<DaemonSet, P> source(
            InformerEventSourceConfiguration<DaemonSet> configuration, EventSourceContext<P> context) {
        Source<P> source = new Source<>(configuration, context);
        attachCache(source);
        return source;
    }

    private final class Source<P extends io.fabric8.kubernetes.api.model.HasMetadata>
            extends InformerEventSource<DaemonSet, P> {

        Source(InformerEventSourceConfiguration<DaemonSet> configuration, EventSourceContext<P> context) {
            super(configuration, context);
        }

        @Override
        public void onAdd(DaemonSet ds) {
            super.onAdd(ds);
            fire(null, ds);
        }

        @Override
        public void onUpdate(DaemonSet old, DaemonSet now) {
            super.onUpdate(old, now);
            fire(old, now);
        }

        @Override
        public void onDelete(DaemonSet ds, boolean deletedFinalStateUnknown) {
            super.onDelete(ds, deletedFinalStateUnknown);
            fire(ds, null);
        }

        @Override
        public synchronized void start() {
            super.start(); // returns once the informer has synced (or the SDK gave up waiting)
            synced(true);
        }

        @Override
        public synchronized void stop() {
            synced(false);
            super.stop();
        }
    }
}
