package io.kmm.build.kaniko;

import io.kmm.registry.InClusterRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.kmm.api.v1alpha1.BuildArg;
import io.kmm.api.v1alpha1.GitSource;
import io.kmm.build.BuildRequest;
import io.kmm.meta.Labels;

/**
 * The desired Kaniko Job of a build. Pure. The inline Dockerfile travels as a pod annotation mounted through the
 * downward API, so the operator needs no right beyond creating Jobs (no ConfigMaps).
 */
public final class KanikoJobs {

    public static final String CONTAINER = "kaniko";
    static final String WORKSPACE = "/workspace";

    private KanikoJobs() {
    }

    /**
     * Limits of a Job, from configuration.
     *
     * @param resources the build container's requests and limits ({@code kmm.build.resources.*})
     */
    public record JobLimits(int backoffLimit, Duration activeDeadline, Optional<Duration> ttlAfterFinished,
            io.fabric8.kubernetes.api.model.ResourceRequirements resources) {

        public JobLimits(int backoffLimit, Duration activeDeadline, Optional<Duration> ttlAfterFinished) {
            this(backoffLimit, activeDeadline, ttlAfterFinished, null);
        }
    }

    /** A Job without the in-cluster registry. */
    public static Job desired(BuildRequest req, String executorImage, JobLimits limits) {
        return desired(req, executorImage, limits, null);
    }

    /**
     * @param executorImage the Kaniko executor image ({@code kmm.build.kaniko-image})
     * @param registry the in-cluster registry, or null: an image named by its node address is pushed to its service
     *        address (plain HTTP allowed for that registry alone when it is insecure)
     */
    public static Job desired(BuildRequest req, String executorImage, JobLimits limits, InClusterRegistry registry) {
        Map<String, String> labels = req.labels();
        Map<String, String> podAnnotations = new LinkedHashMap<>();
        List<String> args = new ArrayList<>();
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        List<io.fabric8.kubernetes.api.model.EnvVar> env = new ArrayList<>();

        GitSource git = req.build().getGit();
        if (req.build().getDockerfile() != null) {
            podAnnotations.put(Labels.DOCKERFILE_ANNOTATION, req.build().getDockerfile());
            volumes.add(new VolumeBuilder().withName("dockerfile").withNewDownwardAPI().addNewItem()
                    .withPath("Dockerfile").withNewFieldRef().withFieldPath("metadata.annotations['"
                            + Labels.DOCKERFILE_ANNOTATION + "']").endFieldRef().endItem().endDownwardAPI().build());
            mounts.add(new VolumeMountBuilder().withName("dockerfile").withMountPath(WORKSPACE).withReadOnly(true)
                    .build());
            args.add("--context=dir://" + WORKSPACE);
            args.add("--dockerfile=" + WORKSPACE + "/Dockerfile");
        } else if (git != null) {
            args.add("--context=" + gitContext(git));
            if (git.getUrl().regionMatches(true, 0, "http://", 0, 7)) {
                env.add(new io.fabric8.kubernetes.api.model.EnvVar("GIT_PULL_METHOD", "http", null));
            }
            if (git.getContextDir() != null && !git.getContextDir().isBlank()) {
                args.add("--context-sub-path=" + git.getContextDir());
            }
        }
        boolean inCluster = registry != null && (registry.names(req.image())
                || req.pulls().stream().anyMatch(registry::names));
        args.add("--destination=" + (registry != null ? registry.forPods(req.image()) : req.image()));
        if (!req.push()) {
            args.add("--no-push"); // a preflight's check that the image builds
        }
        if (inCluster) {
            // FROM lines that name the registry as the nodes do are pulled from the service address too.
            args.add("--registry-map=" + registry.nodeAddress() + "=" + registry.serviceAddress());
            if (registry.insecure()) {
                args.add("--insecure-registry=" + registry.serviceAddress());
                args.add("--skip-tls-verify-registry=" + registry.serviceAddress());
            }
        }
        for (BuildArg arg : req.buildArgs()) {
            args.add("--build-arg=" + arg.getName() + "=" + (arg.getValue() == null ? "" : arg.getValue()));
        }
        if (req.pullInsecure()) {
            args.add("--insecure-pull");
            args.add("--skip-tls-verify-pull");
        }
        if (req.pushInsecure()) {
            args.add("--insecure");
            args.add("--skip-tls-verify");
        }
        if (req.pushSecret() != null) {
            volumes.add(new VolumeBuilder().withName("push-secret").withNewSecret().withSecretName(req.pushSecret())
                    .addNewItem().withKey(".dockerconfigjson").withPath("config.json").endItem().endSecret().build());
            mounts.add(new VolumeMountBuilder().withName("push-secret").withMountPath("/kaniko/.docker")
                    .withReadOnly(true).build());
        }
        for (BuildRequest.SecretMount m : req.secretMounts()) {
            volumes.add(new VolumeBuilder().withName(m.volume()).withNewSecret().withSecretName(m.secret())
                    .withDefaultMode(0400).addNewItem().withKey(m.key()).withPath(m.file()).endItem().endSecret()
                    .build());
            mounts.add(new VolumeMountBuilder().withName(m.volume()).withMountPath(m.directory()).withReadOnly(true)
                    .build());
        }
        List<LocalObjectReference> secrets = req.build().getSecrets() == null ? List.of() : req.build().getSecrets();
        for (int i = 0; i < secrets.size(); i++) {
            String name = secrets.get(i).getName();
            volumes.add(new VolumeBuilder().withName("build-secret-" + i).withNewSecret().withSecretName(name)
                    .endSecret().build());
            mounts.add(new VolumeMountBuilder().withName("build-secret-" + i).withMountPath("/run/secrets/" + name)
                    .withReadOnly(true).build());
        }

        return new JobBuilder()
                .withNewMetadata()
                .withName(req.objectName())
                .withNamespace(req.namespace())
                .withLabels(labels)
                .withAnnotations(req.annotations())
                .withOwnerReferences(req.ownerReference())
                .endMetadata()
                .withNewSpec()
                .withBackoffLimit(limits.backoffLimit())
                .withActiveDeadlineSeconds(limits.activeDeadline().toSeconds())
                .withTtlSecondsAfterFinished(limits.ttlAfterFinished().map(d -> (int) d.toSeconds()).orElse(null))
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).withAnnotations(podAnnotations).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                // A build talks to registries, never to the API server: no ServiceAccount token in it.
                .withAutomountServiceAccountToken(false)
                .withNewSecurityContext().withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                // Kaniko runs as root and unpacks images into its own root file system (so no read-only root or
                // dropped capabilities), but needs no privilege escalation.
                .withContainers(new ContainerBuilder().withName(CONTAINER).withImage(executorImage)
                        .withArgs(args).withEnv(env.isEmpty() ? null : env).withVolumeMounts(mounts).withResources(limits.resources())
                        // the end of a failed build's log becomes its termination message: the Module says why
                        .withTerminationMessagePolicy("FallbackToLogsOnError")
                        .withNewSecurityContext().withAllowPrivilegeEscalation(false).endSecurityContext().build())
                .withVolumes(volumes)
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }


    /**
     * Kaniko's git context: {@code git://host/path#ref}, whatever the URL's scheme: Kaniko clones over HTTPS, or plain
     * HTTP when its {@code GIT_PULL_METHOD} is {@code http} (set for an {@code http://} URL). A ref starting with
     * {@code refs/} is used as it is (e.g. {@code refs/tags/v1}), 40 hex digits are a commit, anything else is a
     * branch.
     */
    static String gitContext(GitSource git) {
        String url = git.getUrl().replaceFirst("^[a-zA-Z]+://", "");
        String ref = git.getRef();
        if (ref == null || ref.isBlank()) {
            return "git://" + url;
        }
        String fragment = ref.startsWith("refs/") || ref.matches("[0-9a-f]{40}") ? ref : "refs/heads/" + ref;
        return "git://" + url + "#" + fragment;
    }
}
