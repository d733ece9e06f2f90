package io.kmm.build.openshift;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.openshift.api.model.Build;
import io.fabric8.openshift.api.model.BuildConfig;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kmm.api.v1alpha1.Module;
import io.kmm.build.BuildObjects;
import io.kmm.build.BuildPhase;
import io.kmm.build.BuildRequest;
import io.kmm.build.BuildState;
import io.kmm.build.BuildStrategy;
import io.kmm.meta.Labels;

/** Builds with an OpenShift BuildConfig (Docker strategy) and a Build started from it. */
// Typed to its class: the one injectable BuildStrategy is the one BuildStrategySelector chooses.
@ApplicationScoped
@Typed(OpenShiftBuildStrategy.class)
public class OpenShiftBuildStrategy implements BuildStrategy {

    private volatile InformerEventSource<Build, Module> builds;

    @Override
    public String objectKind() {
        return "Build";
    }

    @Override
    public List<EventSource<?, Module>> eventSources(EventSourceContext<Module> context) {
        builds = new InformerEventSource<>(InformerEventSourceConfiguration.from(Build.class, Module.class)
                .withName("openshift-builds").withLabelSelector(Labels.BUILD_SELECTOR).build(), context);
        return List.of(builds);
    }

    /** OpenShift builds with its own builder: nothing to add to the inputs. */
    @Override
    public String builderInputs() {
        return null;
    }

    @Override
    public String buildName(BuildRequest request) {
        return OpenShiftBuilds.buildName(request);
    }

    @Override
    public List<BuildState> builds(Module module, Context<Module> context) {
        return context.getSecondaryResourcesAsStream(Build.class)
                .filter(b -> BuildObjects.belongsTo(b, module))
                .map(OpenShiftBuildStrategy::state).toList();
    }

    @Override
    public List<BuildState> preflightBuilds(String preflightUid, Module module, KubernetesClient client) {
        InformerEventSource<Build, Module> source = builds;
        return source == null ? List.of() : source.list(b -> BuildObjects.ownedBy(b, preflightUid, module))
                .map(OpenShiftBuildStrategy::state).toList();
    }

    @Override
    public BuildState start(BuildRequest request, KubernetesClient client) {
        BuildConfig bc = OpenShiftBuilds.buildConfig(request);
        createIfAbsent(client, bc);
        Build build = OpenShiftBuilds.build(request);
        Build created = createIfAbsent(client, build);
        if (created != null) {
            builds.handleRecentResourceCreate(ResourceID.fromResource(created), created);
            return state(created);
        }
        return new BuildState(build.getMetadata().getName(), request.kernel(), request.inputsHash(),
                BuildPhase.PENDING, null, null, request.step());
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T createIfAbsent(KubernetesClient client,
            T object) {
        try {
            return client.resource(object).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public void delete(String namespace, String name, KubernetesClient client) {
        client.resources(Build.class).inNamespace(namespace).withName(name).delete();
        // The BuildConfig the Build was started from goes with it.
        client.resources(BuildConfig.class).inNamespace(namespace)
                .withName(OpenShiftBuilds.buildConfigName(name)).delete();
    }

    /** OpenShift's build phase mapped to KMM's. */
    public static BuildPhase phaseOf(Build build) {
        return state(build).phase();
    }

    /** OpenShift's build phases mapped to KMM's. */
    static BuildState state(Build build) {
        String phase = build.getStatus() == null ? null : build.getStatus().getPhase();
        BuildPhase mapped = switch (phase == null ? "New" : phase) {
            case "Running" -> BuildPhase.RUNNING;
            case "Complete" -> BuildPhase.SUCCEEDED;
            case "Failed", "Error", "Cancelled" -> BuildPhase.FAILED;
            default -> BuildPhase.PENDING;
        };
        Instant finished = null;
        String message = null;
        if (build.getStatus() != null) {
            try {
                finished = build.getStatus().getCompletionTimestamp() == null ? null
                        : Instant.parse(build.getStatus().getCompletionTimestamp());
            } catch (RuntimeException e) {
                finished = null;
            }
            if (mapped == BuildPhase.FAILED) {
                message = phase + (build.getStatus().getMessage() == null ? "" : ": " + build.getStatus().getMessage());
            }
        }
        String hash = BuildObjects.annotation(build, Labels.BUILD_INPUTS_ANNOTATION);
        return new BuildState(build.getMetadata().getName(), BuildObjects.kernel(build), hash, mapped, finished,
                message, BuildObjects.step(build));
    }
}
