package io.kmm.build;

import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.openshift.api.model.BuildConfig;
import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.BuildArg;
import io.kmm.api.v1alpha1.GitSource;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.RegistryOptions;
import io.kmm.build.kaniko.KanikoJobs;
import io.kmm.build.openshift.OpenShiftBuilds;
import io.kmm.kernel.KernelMapper;
import io.kmm.kernel.KernelResolution;
import io.kmm.meta.Labels;

/** The desired Kaniko Job and OpenShift BuildConfig/Build of a build, without a server. */
class BuildObjectsTest {

    static final KanikoJobs.JobLimits LIMITS = new KanikoJobs.JobLimits(1, Duration.ofMinutes(30),
            Optional.of(Duration.ofHours(2)));

    static Module moduleWith(Build build) {
        Module m = io.kmm.TestModules.module("drivers", "mod", Map.of(), regexp("gke$", "reg.example.com/mod:${KERNEL_FULL_VERSION}"));
        m.getSpec().setBuild(build);
        m.getSpec().setImageRepoSecret(new LocalObjectReference("push-creds"));
        return m;
    }

    static BuildRequest request(Module m) {
        var kernel = (KernelResolution.Resolved) new KernelMapper("mod", "drivers", m.getSpec()).resolve("5.4.0-1054-gke");
        return BuildRequest.of(m, kernel, "kaniko:pinned");
    }

    static Build inline() {
        Build b = new Build();
        b.setDockerfile("FROM base\nARG KERNEL_FULL_VERSION\nRUN make");
        b.setBuildArgs(List.of(new BuildArg("SOME_KEY", "SOME_VALUE"), new BuildArg("MOD_NAME", "spoofed")));
        b.setPull(new RegistryOptions(true));
        b.setPush(new RegistryOptions(true));
        b.setSecrets(List.of(new LocalObjectReference("signing-key")));
        return b;
    }

    @Test
    void kanikoJobForAnInlineDockerfile() {
        BuildRequest req = request(moduleWith(inline()));
        Job job = KanikoJobs.desired(req, "kaniko:pinned", LIMITS);
        assertThat(job.getMetadata().getName()).isEqualTo(req.objectName()).endsWith("-" + req.inputsHash())
                .hasSizeLessThanOrEqualTo(63);
        assertThat(job.getMetadata().getLabels()).containsEntry(Labels.ROLE, Labels.ROLE_BUILD)
                .containsEntry(Labels.MODULE_NAME, "mod").containsEntry(Labels.KERNEL_VERSION, "5.4.0-1054-gke");
        assertThat(job.getMetadata().getAnnotations()).containsEntry(Labels.BUILD_INPUTS_ANNOTATION, req.inputsHash());
        assertThat(job.getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("Module");
        assertThat(job.getSpec().getBackoffLimit()).isEqualTo(1);
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(1800L);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(7200);

        var pod = job.getSpec().getTemplate();
        assertThat(pod.getMetadata().getAnnotations()).containsEntry(Labels.DOCKERFILE_ANNOTATION,
                "FROM base\nARG KERNEL_FULL_VERSION\nRUN make");
        var c = pod.getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("kaniko:pinned");
        assertThat(c.getArgs()).containsExactly("--context=dir:///workspace", "--dockerfile=/workspace/Dockerfile",
                "--destination=reg.example.com/mod:5.4.0-1054-gke", "--build-arg=SOME_KEY=SOME_VALUE",
                "--build-arg=KERNEL_VERSION=5.4.0-1054-gke", "--build-arg=KERNEL_FULL_VERSION=5.4.0-1054-gke",
                "--build-arg=MOD_NAME=mod", "--build-arg=MOD_NAMESPACE=drivers", "--insecure-pull",
                "--skip-tls-verify-pull", "--insecure", "--skip-tls-verify");
        assertThat(c.getVolumeMounts()).extracting(VolumeMount::getMountPath)
                .containsExactly("/workspace", "/kaniko/.docker", "/run/secrets/signing-key");
        assertThat(c.getVolumeMounts()).allMatch(VolumeMount::getReadOnly);
        assertThat(pod.getSpec().getVolumes()).extracting(Volume::getName)
                .containsExactly("dockerfile", "push-secret", "build-secret-0");
        assertThat(pod.getSpec().getVolumes().get(0).getDownwardAPI().getItems().get(0).getFieldRef().getFieldPath())
                .isEqualTo("metadata.annotations['ooto.sigs.k8s.io/dockerfile']");
        assertThat(pod.getSpec().getVolumes().get(1).getSecret().getItems().get(0).getPath()).isEqualTo("config.json");
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
    }

    @Test
    void kanikoJobForAGitSource() {
        Build b = new Build();
        GitSource git = new GitSource();
        git.setUrl("https://github.com/vendor/driver.git");
        git.setRef("release-1.2");
        git.setContextDir("build/kmm");
        b.setGit(git);
        Job job = KanikoJobs.desired(request(moduleWith(b)), "kaniko:pinned", LIMITS);
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .contains("--context=git://github.com/vendor/driver.git#refs/heads/release-1.2",
                        "--context-sub-path=build/kmm")
                .doesNotContain("--insecure");
        assertThat(job.getSpec().getTemplate().getMetadata().getAnnotations()).isEmpty();
        git.setRef("0123456789abcdef0123456789abcdef01234567");
        assertThat(KanikoJobs.desired(request(moduleWith(b)), "kaniko:pinned", LIMITS).getSpec().getTemplate().getSpec().getContainers()
                .get(0).getArgs()).contains(
                        "--context=git://github.com/vendor/driver.git#0123456789abcdef0123456789abcdef01234567");
        assertThat(KanikoJobs.desired(request(moduleWith(b)), "kaniko:pinned", LIMITS).getSpec().getTemplate()
                .getSpec().getContainers().get(0).getEnv()).as("Kaniko clones over HTTPS by default").isNull();
        // a plain-HTTP Git server: Kaniko is told to clone over HTTP
        git.setUrl("http://git.internal:8080/vendor/driver.git");
        var kaniko = KanikoJobs.desired(request(moduleWith(b)), "kaniko:pinned", LIMITS).getSpec().getTemplate()
                .getSpec().getContainers().get(0);
        assertThat(kaniko.getArgs()).contains("--context=git://git.internal:8080/vendor/driver.git"
                + "#0123456789abcdef0123456789abcdef01234567");
        assertThat(kaniko.getEnv()).singleElement().satisfies(e -> {
            assertThat(e.getName()).isEqualTo("GIT_PULL_METHOD");
            assertThat(e.getValue()).isEqualTo("http");
        });
    }

    @Test
    void inputsHashIsDeterministicAndFollowsEveryInput() {
        BuildRequest a = request(moduleWith(inline()));
        assertThat(request(moduleWith(inline())).inputsHash()).isEqualTo(a.inputsHash());
        assertThat(request(moduleWith(inline())).objectName()).isEqualTo(a.objectName());
        Build changed = inline();
        changed.setDockerfile("FROM other");
        assertThat(request(moduleWith(changed)).inputsHash()).isNotEqualTo(a.inputsHash());
        Module otherSecret = moduleWith(inline());
        otherSecret.getSpec().setImageRepoSecret(new LocalObjectReference("other"));
        assertThat(request(otherSecret).inputsHash()).isNotEqualTo(a.inputsHash());
    }

    @Test
    void openShiftBuildConfigAndBuild() {
        BuildRequest req = request(moduleWith(inline()));
        BuildConfig bc = OpenShiftBuilds.buildConfig(req);
        assertThat(bc.getMetadata().getName()).isEqualTo(req.objectName());
        assertThat(bc.getSpec().getStrategy().getType()).isEqualTo("Docker");
        assertThat(bc.getSpec().getStrategy().getDockerStrategy().getBuildArgs())
                .extracting(e -> e.getName() + "=" + e.getValue())
                .contains("SOME_KEY=SOME_VALUE", "KERNEL_FULL_VERSION=5.4.0-1054-gke", "MOD_NAME=mod");
        assertThat(bc.getSpec().getSource().getDockerfile()).startsWith("FROM base");
        assertThat(bc.getSpec().getSource().getSecrets().get(0).getDestinationDir()).isEqualTo("/run/secrets/signing-key");
        assertThat(bc.getSpec().getOutput().getTo().getName()).isEqualTo("reg.example.com/mod:5.4.0-1054-gke");
        assertThat(bc.getSpec().getOutput().getPushSecret().getName()).isEqualTo("push-creds");
        var build = OpenShiftBuilds.build(req);
        assertThat(build.getMetadata().getLabels()).containsEntry(OpenShiftBuilds.BUILD_CONFIG_LABEL, req.objectName());
        assertThat(build.getSpec().getStrategy()).isEqualTo(bc.getSpec().getStrategy());
    }

    @Test
    void kanikoPushesAnInClusterImageToTheServiceAddress() {
        var registry = new io.kmm.registry.InClusterRegistry("localhost:30500", "kmm-registry.kmm-registry.svc:5000",
                true);
        Module m = io.kmm.TestModules.module("drivers", "mod", Map.of(),
                regexp("gke$", "localhost:30500/drivers/mod:${KERNEL_FULL_VERSION}"));
        Build b = new Build();
        b.setDockerfile("FROM base");
        m.getSpec().setBuild(b);
        BuildRequest req = request(m);
        List<String> args = KanikoJobs.desired(req, "kaniko:pinned", LIMITS, registry).getSpec().getTemplate()
                .getSpec().getContainers().get(0).getArgs();
        assertThat(args).contains("--destination=kmm-registry.kmm-registry.svc:5000/drivers/mod:5.4.0-1054-gke",
                "--registry-map=localhost:30500=kmm-registry.kmm-registry.svc:5000",
                "--insecure-registry=kmm-registry.kmm-registry.svc:5000",
                "--skip-tls-verify-registry=kmm-registry.kmm-registry.svc:5000")
                .doesNotContain("--insecure", "--skip-tls-verify");
        assertThat(req.image()).as("what the nodes pull").isEqualTo("localhost:30500/drivers/mod:5.4.0-1054-gke");

        // Another registry's image is pushed where it says, with no registry-specific flag.
        List<String> other = KanikoJobs.desired(request(moduleWith(b)), "kaniko:pinned", LIMITS, registry).getSpec()
                .getTemplate().getSpec().getContainers().get(0).getArgs();
        assertThat(other).contains("--destination=reg.example.com/mod:5.4.0-1054-gke")
                .noneMatch(a -> a.contains("kmm-registry"));
        // A TLS in-cluster registry: no plain-HTTP flag.
        assertThat(KanikoJobs.desired(req, "kaniko:pinned", LIMITS, new io.kmm.registry.InClusterRegistry(
                "localhost:30500", "kmm-registry.kmm-registry.svc:5000", false)).getSpec().getTemplate().getSpec()
                .getContainers().get(0).getArgs()).noneMatch(a -> a.startsWith("--insecure"));
    }
}
