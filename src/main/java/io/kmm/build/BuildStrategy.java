package io.kmm.build;

import java.util.List;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.kmm.api.v1alpha1.Module;

/**
 * Builds ModuleLoader images in the cluster. One implementation is chosen at start-up
 * ({@code kmm.build.strategy}); only its informers run. Builds are create-only: the strategy never waits for one,
 * the build object's own events bring the Module back.
 */
public interface BuildStrategy {

    /** What users see: "Job" or "Build". */
    String objectKind();

    /**
     * What this build system adds to every build's inputs (e.g. the builder image): a change starts new builds.
     * Null when nothing.
     */
    String builderInputs();

    /** The name of the object that shows a build's progress (the Job, or the Build started from a BuildConfig). */
    String buildName(BuildRequest request);

    /** The informers that bring a Module back when one of its build objects changes. */
    List<EventSource<?, Module>> eventSources(EventSourceContext<Module> context);

    /** The Module's build objects, every kernel's, from the informer cache. */
    List<BuildState> builds(Module module, Context<Module> context);

    /** Starts a build; returns its state. An already existing object of the same name is not an error. */
    default BuildState start(Module module, BuildRequest request, Context<Module> context) {
        return start(request, context.getClient());
    }

    /** Deletes a build object (stale inputs, or finished and no longer needed). */
    default void delete(Module module, String name, Context<Module> context) {
        delete(module.getMetadata().getNamespace(), name, context.getClient());
    }

    /** Starts a build, the Module's or a preflight's; an already existing object of the same name is no error. */
    BuildState start(BuildRequest request, KubernetesClient client);

    /** Deletes a build object. */
    void delete(String namespace, String name, KubernetesClient client);

    /**
     * The build objects a PreflightValidation asked for (owned by it) for one Module, every kernel's, from the same
     * informer cache as the Modules' builds.
     */
    List<BuildState> preflightBuilds(String preflightUid, Module module, KubernetesClient client);
}
