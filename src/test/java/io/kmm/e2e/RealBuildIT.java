package io.kmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kmm.TestModules;
import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.BuildArg;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.RegistryOptions;
import io.kmm.meta.Labels;
import io.kmm.process.Commands;
import io.kmm.process.OperatorProcess;

/**
 * A real in-cluster build ({@code dev/local-cluster up --real-node}): the operator's Kaniko Job runs the real Kaniko
 * executor (built from its Go module, {@code dev/builder-image kaniko}) on the real node, which pulls a builder base
 * made here from Debian's packages with gcc, kmod and a kernel's headers ({@code dev/builder-image builder}), compiles
 * an out-of-tree module with kbuild ({@code src/test/builds/Dockerfile.kmm-hello}), depmods it and pushes the image to
 * the registry at the node's address; the operator's registry check then finds it and the loader DaemonSet names it.
 * The image's module is checked with the kernel's own tools (modinfo: the vermagic of the headers' kernel).
 * Not shown here: the loader pod loading it on the node (this machine's kernel cannot load modules; KernelLoadIT loads
 * the same kind of module on a real kernel under qemu).
 */
class RealBuildIT {

    static {
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    private static final String NS = "e2e-builds";
    private static final Path WORK = Path.of("target", "real-build").toAbsolutePath();

    private static String hostBefore;
    private static LocalCluster cluster;
    private static KubernetesClient client;
    private static OperatorProcess operator;
    private static String registry;
    private static String builder;
    private static String headers;
    private static GitHttpServer git;

    @BeforeAll
    static void clusterWithARealNodeKanikoAndABuilder() throws Exception {
        Assumptions.assumeTrue("0".equals(Commands.ok(Duration.ofSeconds(10), "id", "-u").strip()),
                "a real node needs root: run the tests as root, as CI does");
        hostBefore = Commands.ok(Duration.ofSeconds(30), "dev/local-cluster", "host-state");
        io.kmm.process.Trees.deleteRecursively(WORK); // a previous run's repository and image
        cluster = LocalCluster.startWithRealNode(WORK.resolve("cluster"));
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::down, "real-build-cluster-down"));
        client = cluster.admin();
        registry = cluster.nodeRegistry();
        // cold: Kaniko is built from its Go module (a few minutes), the builder assembled (a minute); then cached
        Commands.ok(Duration.ofMinutes(20), "dev/builder-image", "kaniko", registry + "/kmm-test/kaniko:v1.24.0");
        headers = Commands.ok(Duration.ofMinutes(10), "dev/builder-image", "kernel").strip();
        builder = registry + "/kmm-test/builder:" + headers;
        Commands.ok(Duration.ofMinutes(10), "dev/builder-image", "builder", builder);

        Installation installation = Installation.install(cluster);
        operator = installation.launchOperator(Map.of("kmm.build.kaniko-image",
                registry + "/kmm-test/kaniko:v1.24.0"));
        operator.awaitReady(Duration.ofMinutes(2));
        cluster.kubectlOk("create", "namespace", NS);

        // A Git repository as a driver vendor keeps it: the Dockerfile in a folder, on a branch; served over HTTP
        // (git http-backend) at the node's address, which the build pod reaches.
        Path repos = Files.createDirectories(WORK.resolve("git"));
        Path work = Files.createDirectories(WORK.resolve("git-work/kmm"));
        Files.copy(Path.of("src/test/builds/Dockerfile.kmm-hello"), work.resolve("Dockerfile"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path tree = work.getParent();
        Commands.ok(Duration.ofSeconds(30), "git", "init", "-q", "--bare", repos.resolve("driver.git").toString());
        Commands.ok(Duration.ofSeconds(30), "git", "-C", tree.toString(), "init", "-q", "-b", "release-1");
        Commands.ok(Duration.ofSeconds(30), "git", "-C", tree.toString(), "add", ".");
        Commands.ok(Duration.ofSeconds(30), "git", "-C", tree.toString(), "-c", "user.name=Driver Vendor", "-c",
                "user.email=vendor@example.com", "commit", "-q", "-m", "kmm_hello");
        Commands.ok(Duration.ofSeconds(30), "git", "-C", tree.toString(), "push", "-q",
                repos.resolve("driver.git").toString(), "release-1");
        git = new GitHttpServer(registry.substring(0, registry.indexOf(':')), repos);
    }

    @AfterAll
    static void restoreTheMachine() throws Exception {
        if (cluster == null) {
            return;
        }
        try {
            if (git != null) {
                git.close();
            }
            if (operator != null) {
                Files.createDirectories(Path.of("target", "e2e-logs"));
                Files.writeString(Path.of("target", "e2e-logs", "RealBuildIT-operator.log"), operator.output());
                operator.close();
            }
        } finally {
            cluster.down();
            assertThat(Commands.ok(Duration.ofSeconds(30), "dev/local-cluster", "host-state"))
                    .as("what the real node changed on this machine is undone by down").isEqualTo(hostBefore);
        }
    }

    @Test
    void kanikoBuildsARealModuleAndTheLoaderRunsItsImage() throws Exception {
        String image = registry + "/kmm-test/kmm-hello:${KERNEL_FULL_VERSION}";
        Module m = TestModules.module(NS, "kmm-hello", Map.of("type", "real"), TestModules.regexp("^.+$", image));
        Build build = new Build();
        build.setDockerfile(Files.readString(Path.of("src/test/builds/Dockerfile.kmm-hello")));
        build.setBuildArgs(List.of(new BuildArg("BUILDER", builder), new BuildArg("HEADERS", headers)));
        RegistryOptions insecure = new RegistryOptions();
        insecure.setInsecure(true); // the registry at the node's address speaks plain HTTP
        build.setPull(insecure);
        build.setPush(insecure);
        m.getSpec().getKernelMappings().get(0).setBuild(build);
        client.resource(m).create();

        // The operator's Job, run by the real Job controller and kubelet; Kaniko's own log says what it did.
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            List<Job> jobs = client.batch().v1().jobs().inNamespace(NS).withLabel(Labels.MODULE_NAME, "kmm-hello")
                    .list().getItems();
            assertThat(jobs).singleElement().satisfies(j -> assertThat(j.getStatus().getSucceeded()).isEqualTo(1));
        });
        String log = buildLog("kmm-hello");
        System.out.println("[RealBuildIT] the Kaniko build's log:\n" + log);
        assertThat(log).contains("LD [M]  /src/kmm_hello.ko")
                .contains("Leaving directory '/usr/src/linux-headers-" + headers + "'")
                .contains("Pushed " + registry + "/kmm-test/kmm-hello");

        // The registry check finds the pushed image: the loader DaemonSet names it.
        String kernel = client.nodes().withName("kmm-real-node").get().getStatus().getNodeInfo().getKernelVersion();
        await().atMost(Duration.ofMinutes(3)).untilAsserted(() -> {
            List<DaemonSet> loaders = client.apps().daemonSets().inNamespace(NS)
                    .withLabel(Labels.MODULE_NAME, "kmm-hello").list().getItems();
            assertThat(loaders).singleElement().satisfies(ds -> assertThat(ds.getSpec().getTemplate().getSpec()
                    .getContainers().get(0).getImage()).isEqualTo(registry + "/kmm-test/kmm-hello:" + kernel));
        });

        // What the image holds: the module, depmod's index and kmod, nothing else of the builder.
        Path root = Files.createDirectories(WORK.resolve("image"));
        Commands.ok(Duration.ofMinutes(2), "skopeo", "copy", "--src-tls-verify=false", "docker://" + registry
                + "/kmm-test/kmm-hello:" + kernel, "dir:" + root.resolve("oci"));
        Path rootfs = Files.createDirectories(root.resolve("rootfs"));
        for (Path layer : Files.list(root.resolve("oci")).filter(f -> f.getFileName().toString().matches("[0-9a-f]{64}"))
                .toList()) {
            Commands.run(Duration.ofMinutes(1), Map.of(), null, List.of("tar", "-xzf", layer.toString(), "-C",
                    rootfs.toString()));
        }
        Path ko = rootfs.resolve("opt/lib/modules/" + kernel + "/extra/kmm_hello.ko");
        assertThat(ko).exists();
        assertThat(rootfs.resolve("opt/lib/modules/" + kernel + "/modules.dep")).content().contains("kmm_hello.ko");
        assertThat(rootfs.resolve("usr/bin/kmod")).exists();
        assertThat(rootfs.resolve("usr/bin/gcc")).doesNotExist();
        assertThat(Commands.ok(Duration.ofSeconds(30), "modinfo", "-F", "vermagic", ko.toString()))
                .startsWith(headers + " ");
    }

    /**
     * The design's "any Git repository that contains a Dockerfile": the same build from a real Git server (a branch,
     * the Dockerfile in a folder); a ref the repository does not have fails the Job, and the Module says so.
     */
    @Test
    void theSameBuildFromAGitRepositoryAndAWrongRef() throws Exception {
        client.resource(gitModule("kmm-hello-git", "release-1")).create();

        String kernel = client.nodes().withName("kmm-real-node").get().getStatus().getNodeInfo().getKernelVersion();
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            List<DaemonSet> loaders = client.apps().daemonSets().inNamespace(NS)
                    .withLabel(Labels.MODULE_NAME, "kmm-hello-git").list().getItems();
            assertThat(loaders).singleElement().satisfies(ds -> assertThat(ds.getSpec().getTemplate().getSpec()
                    .getContainers().get(0).getImage()).isEqualTo(registry + "/kmm-test/kmm-hello-git:" + kernel));
        });
        String log = buildLog("kmm-hello-git");
        assertThat(log).contains("LD [M]  /src/kmm_hello.ko").contains("Pushed " + registry
                + "/kmm-test/kmm-hello-git");

        // A ref the repository does not have: the clone fails, the Job fails once, the Module says BuildFailed.
        client.resource(gitModule("kmm-hello-wrong-ref", "no-such-branch")).create();
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            Module now = client.resources(Module.class).inNamespace(NS).withName("kmm-hello-wrong-ref").get();
            var degraded = io.kmm.status.Conditions.find(now.getStatus().getConditions(),
                    io.kmm.status.Conditions.DEGRADED).orElseThrow();
            assertThat(degraded.getReason()).isEqualTo("BuildFailed");
        });
        assertThat(client.batch().v1().jobs().inNamespace(NS).withLabel(Labels.MODULE_NAME, "kmm-hello-wrong-ref")
                .list().getItems()).as("one Job, not retried").hasSize(1);
        String failed = buildLog("kmm-hello-wrong-ref");
        System.out.println("[RealBuildIT] the wrong ref's build log:\n" + failed);
        assertThat(failed).contains("error resolving source context: reference not found");
    }

    /** What Kaniko printed in a Module's build pod. */
    private static String buildLog(String module) throws Exception {
        return cluster.kubectlOk("-n", NS, "logs", "-l", Labels.MODULE_NAME + "=" + module + "," + Labels.ROLE + "="
                + Labels.ROLE_BUILD, "--tail=-1");
    }

    /** A Module built from the test's Git repository (the Dockerfile in kmm/) at a ref, into the node's registry. */
    private static Module gitModule(String name, String ref) {
        Module m = TestModules.module(NS, name, Map.of("type", "real"),
                TestModules.regexp("^.+$", registry + "/kmm-test/" + name + ":${KERNEL_FULL_VERSION}"));
        Build build = new Build();
        io.kmm.api.v1alpha1.GitSource source = new io.kmm.api.v1alpha1.GitSource();
        source.setUrl(git.url() + "driver.git");
        source.setRef(ref);
        source.setContextDir("kmm");
        build.setGit(source);
        build.setBuildArgs(List.of(new BuildArg("BUILDER", builder), new BuildArg("HEADERS", headers)));
        RegistryOptions insecure = new RegistryOptions();
        insecure.setInsecure(true); // the registry at the node's address speaks plain HTTP
        build.setPull(insecure);
        build.setPush(insecure);
        m.getSpec().getKernelMappings().get(0).setBuild(build);
        return m;
    }
}
