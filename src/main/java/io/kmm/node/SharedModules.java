package io.kmm.node;

import jakarta.enterprise.context.ApplicationScoped;

import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.kmm.api.v1alpha1.Module;
import io.kmm.node.SharedCache;

/**
 * The Module controller's Module informer, shared with the preflight controller and the node labeller (versioned
 * Modules), which read every Module and hear of their changes without a second watch of Modules.
 */
@ApplicationScoped
public class SharedModules extends SharedCache<Module> {

    public SharedModules() {
        super("Module informer of the Module controller");
    }

    /** Called by the Module controller with its primary cache; returns the event source it registers. */
    public AbstractEventSource<Module, Module> attach(IndexerResourceCache<Module> primaryCache) {
        return fanout(primaryCache, Module.class, "module-fanout");
    }
}
