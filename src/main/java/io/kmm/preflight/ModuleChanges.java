package io.kmm.preflight;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.PreflightValidation;
import io.kmm.node.SharedModules;
import io.kmm.node.SharedCache;

/**
 * A Module created, deleted, or with a new spec (generation) brings every PreflightValidation back, through the
 * Module controller's informer ({@link SharedModules}): a status write of a Module brings nothing.
 */
final class ModuleChanges extends AbstractEventSource<Module, PreflightValidation>
        implements SharedCache.Listener<Module> {

    private final SharedModules shared;
    private final IndexerResourceCache<PreflightValidation> preflights;
    private final Duration syncTimeout;

    ModuleChanges(SharedModules shared, IndexerResourceCache<PreflightValidation> preflights, Duration syncTimeout) {
        super(Module.class, "module-changes");
        this.shared = shared;
        this.preflights = preflights;
        this.syncTimeout = syncTimeout;
        shared.listen(this);
    }

    @Override
    public void on(Module old, Module now) {
        if (!isRunning() || (old != null && now != null
                && Objects.equals(old.getMetadata().getGeneration(), now.getMetadata().getGeneration()))) {
            return;
        }
        preflights.list().forEach(p -> getEventHandler().handleEvent(new Event(ResourceID.fromResource(p))));
    }

    @Override
    public Set<Module> getSecondaryResources(PreflightValidation primary) {
        return Set.of();
    }

    @Override
    public void start() {
        shared.awaitSynced(syncTimeout);
        super.start();
    }
}
