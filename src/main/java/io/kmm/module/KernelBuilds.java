package io.kmm.module;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.kmm.api.v1alpha1.BuildStatus;
import io.kmm.api.v1alpha1.Module;
import io.kmm.build.BuildPhase;
import io.kmm.build.BuildRequest;
import io.kmm.build.BuildState;
import io.kmm.build.BuildStrategy;
import io.kmm.config.KmmConfig;
import io.kmm.kernel.KernelResolution;
import io.kmm.meta.Names;
import io.kmm.registry.ImageCheck;
import io.kmm.registry.ImageChecks;
import io.kmm.metrics.KmmMetrics;

/**
 * For the kernels of a Module that have build settings: is the image there, and if not, is a build running, done
 * or failed? Starts builds (never waits for them), replaces stale ones, deletes successful ones after a while.
 */
@ApplicationScoped
public class KernelBuilds {

    private static final Logger LOG = Logger.getLogger(KernelBuilds.class);
    static final Duration FIRST_RETRY = Duration.ofSeconds(10);
    static final Duration MAX_RETRY = Duration.ofMinutes(5);

    @Inject
    KmmConfig config;

    @Inject
    ImageChecks images;

    @Inject
    BuildStrategy strategy;

    @Inject
    ModuleEvents events;

    @Inject
    KmmMetrics metrics;

    private final Map<String, Integer> registryFailures = new ConcurrentHashMap<>();

    /**
     * What builds mean for one kernel.
     *
     * @param held the kernel's image is not available: do not create (or change) its loader
     * @param build the build, when there is one
     * @param reason with {@code error}: the Degraded reason
     * @param error what the user must know or fix
     */
    public record Outcome(boolean held, BuildStatus build, String reason, String error) {
        static final Outcome READY = new Outcome(false, null, null, null);
    }

    /** The result for every kernel that needed a look, and when to look again. */
    public record Result(Map<String, Outcome> kernels, Optional<Duration> requeueAfter) {

        /** Kernels whose loader must wait for their image. */
        public java.util.Set<String> held() {
            return kernels.entrySet().stream().filter(e -> e.getValue().held()).map(Map.Entry::getKey)
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    public BuildStrategy strategy() {
        return strategy;
    }

    public Result handle(Module module, Collection<KernelResolution> resolutions, Map<String, DaemonSet> owned,
            Context<Module> context) {
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        Duration requeue = null;
        String id = module.getMetadata().getNamespace() + "/" + module.getMetadata().getName();
        boolean registryFailed = false;
        for (KernelResolution resolution : resolutions) {
            if (!(resolution instanceof KernelResolution.Resolved kernel) || kernel.build() == null) {
                continue;
            }
            DaemonSet loader = owned.get(Names.loaderDaemonSet(module.getMetadata().getName(), kernel.kernel()));
            List<BuildState> builds = strategy.builds(module, kernel.kernel(), context);
            BuildRequest request = BuildRequest.of(module, kernel, config.build().kanikoImage());
            boolean running = loader != null && runsImage(loader, kernel.image());
            ImageCheck check = running ? null : images.check(module.getMetadata().getNamespace(), kernel.image(),
                    request.pushSecret(), request.pullInsecure());
            if (running || check.isPresent()) {
                // The image exists (the loader may already run it): show the build that made it, until it is cleaned up.
                builds.stream().filter(b -> request.inputsHash().equals(b.inputsHash())).findFirst()
                        .ifPresent(b -> outcomes.put(kernel.kernel(), new Outcome(false, new BuildStatus(
                                b.phase().display(), strategy.objectKind() + " " + b.name(), b.message()), null, null)));
                requeue = min(requeue, cleanUp(module, builds, context));
                continue;
            }
            if (check.isFailure()) {
                registryFailed = true;
                outcomes.put(kernel.kernel(), new Outcome(true, null, "RegistryCheckFailed", check.message()));
                continue;
            }
            // The image is absent: it has to be built.
            BuildState current = null;
            for (BuildState b : builds) {
                if (request.inputsHash().equals(b.inputsHash())) {
                    current = b;
                } else {
                    LOG.infof("module %s kernel %s: deleting stale build %s %s (inputs changed)", id, kernel.kernel(),
                            strategy.objectKind(), b.name());
                    strategy.delete(module, b.name(), context);
                }
            }
            if (current == null) {
                current = strategy.start(module, request, context);
                LOG.infof("module %s kernel %s: image %s is missing, started build %s %s", id, kernel.kernel(),
                        kernel.image(), strategy.objectKind(), current.name());
                metrics.buildCreated();
                events.normal(module, "BuildCreated", "Building " + kernel.image() + " for kernel " + kernel.kernel()
                        + " with " + strategy.objectKind() + " " + current.name());
            }
            outcomes.put(kernel.kernel(), afterBuild(module, kernel, request, current, check));
        }
        if (registryFailed) {
            int failures = registryFailures.merge(module.getMetadata().getUid(), 1, Integer::sum);
            long seconds = Math.min(MAX_RETRY.toSeconds(), FIRST_RETRY.toSeconds() << Math.min(failures - 1, 10));
            requeue = min(requeue, Duration.ofSeconds(seconds));
        } else {
            registryFailures.remove(module.getMetadata().getUid());
        }
        return new Result(outcomes, Optional.ofNullable(requeue));
    }

    private Outcome afterBuild(Module module, KernelResolution.Resolved kernel, BuildRequest request,
            BuildState build, ImageCheck absent) {
        String object = strategy.objectKind() + " " + build.name();
        BuildStatus status = new BuildStatus(build.phase().display(), object, build.message());
        return switch (build.phase()) {
            case PENDING, RUNNING -> new Outcome(true, status, null, null);
            case FAILED -> new Outcome(true, status, "BuildFailed", "build " + object + " of " + kernel.image()
                    + " for kernel " + kernel.kernel() + " failed" + (build.message() == null ? "" : ": "
                            + build.message()) + "; it is kept for inspection and not retried until the Module's "
                    + "build inputs change");
            case SUCCEEDED -> {
                images.forget(kernel.image());
                ImageCheck again = images.check(module.getMetadata().getNamespace(), kernel.image(),
                        request.pushSecret(), request.pullInsecure());
                yield again.isPresent() ? new Outcome(false, status, null, null)
                        : new Outcome(true, status, "BuildFailed", "build " + object + " succeeded but "
                                + again.message());
            }
        };
    }

    /** Deletes successful builds older than the retention; returns when the next one is due. */
    private Duration cleanUp(Module module, List<BuildState> builds, Context<Module> context) {
        Duration next = null;
        Instant now = Instant.now();
        for (BuildState b : builds) {
            if (b.phase() != BuildPhase.SUCCEEDED) {
                continue; // failed builds are kept for inspection; running ones finish first
            }
            Instant due = (b.finishedAt() == null ? now : b.finishedAt()).plus(config.build()
                    .successfulBuildRetention());
            if (!now.isBefore(due)) {
                strategy.delete(module, b.name(), context);
            } else {
                next = min(next, Duration.between(now, due).plusSeconds(1));
            }
        }
        return next;
    }

    private static boolean runsImage(DaemonSet ds, String image) {
        return ds.getSpec().getTemplate().getSpec().getContainers().stream().anyMatch(c -> image.equals(c.getImage()));
    }

    private static Duration min(Duration a, Duration b) {
        if (a == null) {
            return b;
        }
        return b == null || a.compareTo(b) <= 0 ? a : b;
    }
}
