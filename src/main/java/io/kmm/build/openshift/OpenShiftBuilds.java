package io.kmm.build.openshift;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.openshift.api.model.Build;
import io.fabric8.openshift.api.model.BuildBuilder;
import io.fabric8.openshift.api.model.BuildConfig;
import io.fabric8.openshift.api.model.BuildConfigBuilder;
import io.fabric8.openshift.api.model.BuildSource;
import io.fabric8.openshift.api.model.BuildSourceBuilder;
import io.fabric8.openshift.api.model.BuildStrategy;
import io.fabric8.openshift.api.model.BuildStrategyBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.openshift.api.model.SecretBuildSourceBuilder;
import io.kmm.build.BuildRequest;

/** The desired BuildConfig (Docker strategy) and the Build started from it. Pure. */
public final class OpenShiftBuilds {

    public static final String BUILD_CONFIG_LABEL = "openshift.io/build-config.name";
    /** The first (and only) Build started from a BuildConfig is named after it with this suffix. */
    private static final String FIRST_BUILD = "-1";

    private OpenShiftBuilds() {
    }

    public static BuildConfig buildConfig(BuildRequest req) {
        BuildConfig bc = new BuildConfigBuilder()
                .withNewMetadata().withName(req.objectName()).withNamespace(req.namespace()).withLabels(req.labels())
                .withAnnotations(req.annotations()).withOwnerReferences(req.ownerReference()).endMetadata()
                .withNewSpec()
                .withRunPolicy("Serial")
                .withSource(source(req))
                .withStrategy(strategy(req))
                .withNewOutput().withNewTo().withKind("DockerImage").withName(req.image()).endTo()
                .withPushSecret(req.pushSecret() == null ? null : new LocalObjectReference(req.pushSecret()))
                .endOutput()
                .endSpec()
                .build();
        if (!req.push()) {
            bc.getSpec().setOutput(null); // a preflight's check that the image builds: nothing is pushed
        }
        return bc;
    }

    /** The name of the Build of a request. */
    public static String buildName(BuildRequest req) {
        return req.objectName() + FIRST_BUILD;
    }

    /** The BuildConfig a Build was started from. */
    public static String buildConfigName(String buildName) {
        return buildName.endsWith(FIRST_BUILD) ? buildName.substring(0, buildName.length() - FIRST_BUILD.length())
                : buildName;
    }

    /** A Build with the BuildConfig's spec, named after it, as {@code oc start-build} would create. */
    public static Build build(BuildRequest req) {
        Map<String, String> labels = req.labels();
        labels.put(BUILD_CONFIG_LABEL, req.objectName());
        BuildConfig bc = buildConfig(req);
        return new BuildBuilder()
                .withNewMetadata().withName(buildName(req)).withNamespace(req.namespace()).withLabels(labels)
                .withAnnotations(req.annotations()).withOwnerReferences(req.ownerReference()).endMetadata()
                .withNewSpec()
                .withSource(bc.getSpec().getSource())
                .withStrategy(bc.getSpec().getStrategy())
                .withOutput(bc.getSpec().getOutput())
                .endSpec()
                .build();
    }

    static BuildSource source(BuildRequest req) {
        BuildSourceBuilder source = new BuildSourceBuilder();
        if (req.build().getDockerfile() != null) {
            source.withType("Dockerfile").withDockerfile(req.build().getDockerfile());
        } else {
            var git = req.build().getGit();
            source.withType("Git").withNewGit().withUri(git.getUrl()).withRef(git.getRef()).endGit()
                    .withContextDir(git.getContextDir());
        }
        List<LocalObjectReference> secrets = req.build().getSecrets() == null ? List.of() : req.build().getSecrets();
        source.withSecrets(secrets.stream().map(s -> new SecretBuildSourceBuilder().withNewSecret()
                .withName(s.getName()).endSecret().withDestinationDir("/run/secrets/" + s.getName()).build()).toList());
        return source.build();
    }

    static BuildStrategy strategy(BuildRequest req) {
        List<io.fabric8.kubernetes.api.model.EnvVar> args = req.buildArgs().stream()
                .map(a -> new EnvVarBuilder().withName(a.getName()).withValue(a.getValue()).build()).toList();
        // Secrets of the RUN steps (the signing key and certificate) as build volumes: mounted while RUN runs, never
        // copied into the context or the image.
        List<io.fabric8.openshift.api.model.BuildVolume> volumes = req.secretMounts().stream()
                .map(m -> new io.fabric8.openshift.api.model.BuildVolumeBuilder().withName(m.volume())
                        .withNewSource().withType("Secret").withSecret(new io.fabric8.kubernetes.api.model
                                .SecretVolumeSourceBuilder().withSecretName(m.secret()).withDefaultMode(0400)
                                .addNewItem().withKey(m.key()).withPath(m.file()).endItem().build())
                        .endSource().addNewMount().withDestinationPath(m.directory()).endMount().build())
                .toList();
        return new BuildStrategyBuilder().withType("Docker").withNewDockerStrategy().withBuildArgs(args)
                .withPullSecret(req.pushSecret() == null ? null : new LocalObjectReference(req.pushSecret()))
                .withVolumes(volumes.isEmpty() ? null : volumes)
                .endDockerStrategy().build();
    }



}
