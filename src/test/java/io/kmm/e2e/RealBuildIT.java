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
    private static LocalCluster.AuthRegistry auth;

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
        // the kernel's sign-file in the smallest image that runs the operator's signing script
        String signer = registry + "/kmm-test/sign:" + headers;
        Commands.ok(Duration.ofMinutes(5), "dev/builder-image", "sign", signer);
        auth = cluster.authRegistry();

        Installation installation = Installation.install(cluster);
        operator = installation.launchOperator(Map.of("kmm.build.kaniko-image",
                registry + "/kmm-test/kaniko:v1.24.0", "kmm.build.sign-image", signer));
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
        Module m = realModule("kmm-hello", TestModules.regexp("^.+$", image));
        m.getSpec().getKernelMappings().get(0).setBuild(inlineBuild(Files.readString(
                Path.of("src/test/builds/Dockerfile.kmm-hello"))));
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
        Path rootfs = rootfs(registry + "/kmm-test/kmm-hello:" + kernel, null, WORK.resolve("image"));
        Path ko = rootfs.resolve("opt/lib/modules/" + kernel + "/extra/kmm_hello.ko");
        assertThat(ko).exists();
        assertThat(rootfs.resolve("opt/lib/modules/" + kernel + "/modules.dep")).content().contains("kmm_hello.ko");
        assertThat(rootfs.resolve("usr/bin/kmod")).exists();
        assertThat(rootfs.resolve("usr/bin/gcc")).doesNotExist();
        assertThat(rootfs.resolve("usr/src")).doesNotExist();
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
        // (Kaniko prints its usage text after such an error: longer than the log's end the kubelet keeps)
        assertThat(degradedMessage("kmm-hello-wrong-ref")).contains("Kaniko stopped before building: it could not "
                + "resolve its source (the Git URL, ref or contextDir)");

        // A folder the repository does not have: the Job fails once, and the Module says so in Kaniko's words.
        Module wrongPath = gitModule("kmm-hello-wrong-path", "release-1");
        wrongPath.getSpec().getKernelMappings().get(0).getBuild().getGit().setContextDir("no-such-folder");
        client.resource(wrongPath).create();
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(degradedMessage("kmm-hello-wrong-path")).contains("BuildFailed:"));
        String message = degradedMessage("kmm-hello-wrong-path");
        System.out.println("[RealBuildIT] the wrong path's Degraded message: " + message);
        System.out.println("[RealBuildIT] the wrong path's build log:\n" + buildLog("kmm-hello-wrong-path"));
        assertThat(message).contains("Kaniko stopped before building");
        assertThat(buildLog("kmm-hello-wrong-path")).contains("error resolving source context: stat "
                + "/kaniko/buildcontext/no-such-folder: no such file or directory");
        assertThat(client.batch().v1().jobs().inNamespace(NS).withLabel(Labels.MODULE_NAME, "kmm-hello-wrong-path")
                .list().getItems()).as("one Job, not retried").hasSize(1);
    }

    /** "Reason: message" of a Module's Degraded condition. */
    private static String degradedMessage(String module) {
        Module now = client.resources(Module.class).inNamespace(NS).withName(module).get();
        var degraded = io.kmm.status.Conditions.find(now.getStatus().getConditions(),
                io.kmm.status.Conditions.DEGRADED).orElseThrow();
        return degraded.getReason() + ": " + degraded.getMessage();
    }

    /**
     * A signed build as a Secure Boot user runs it, into a registry that wants credentials: the build pushes the
     * unsigned image and the signing Job (the kernel's sign-file in a sign image made here) the signed one, both with
     * the credentials of the Module's imageRepoSecret (a kubernetes.io/dockerconfigjson Secret, as {@code kubectl
     * create secret docker-registry} makes it); the operator's registry check finds the signed image with them and the
     * node pulls it with them. The module carries the test key's signature (openssl and modinfo say so), and both
     * images' modules load on a real kernel under qemu with the operator's generated loader steps, run inside each
     * image's own root, and unload again.
     */
    @Test
    void aSignedBuildWithPushCredentialsAndItsModulesLoadOnARealKernel() throws Exception {
        String credentials = auth.user() + ":" + auth.password();
        cluster.kubectlOk("-n", NS, "create", "secret", "docker-registry", "registry-push", "--docker-server="
                + auth.address(), "--docker-username=" + auth.user(), "--docker-password=" + auth.password());
        io.kmm.sign.TestKeys keys = io.kmm.sign.TestKeys.generate("KMM real build test key");
        cluster.kubectlOk("-n", NS, "create", "secret", "generic", "signing-key", "--from-file=key=" + keys.key());
        cluster.kubectlOk("-n", NS, "create", "secret", "generic", "signing-cert", "--from-file=cert="
                + keys.certPem());

        String image = auth.address() + "/kmm-test/kmm-hello-signed";
        Module m = realModule("kmm-hello-signed", TestModules.regexp("^.+$", image + ":${KERNEL_FULL_VERSION}"));
        m.getSpec().setImageRepoSecret(new io.fabric8.kubernetes.api.model.LocalObjectReference("registry-push"));
        Build build = inlineBuild(Files.readString(Path.of("src/test/builds/Dockerfile.kmm-hello")));
        RegistryOptions insecure = build.getPush();
        io.kmm.api.v1alpha1.Sign sign = new io.kmm.api.v1alpha1.Sign();
        sign.setKeySecret(new io.fabric8.kubernetes.api.model.LocalObjectReference("signing-key"));
        sign.setCertSecret(new io.fabric8.kubernetes.api.model.LocalObjectReference("signing-cert"));
        sign.setFilesToSign(List.of("/opt/lib/modules/${KERNEL_FULL_VERSION}/extra/kmm_hello.ko"));
        sign.setPull(insecure);
        sign.setPush(insecure);
        m.getSpec().getKernelMappings().get(0).setBuild(build);
        m.getSpec().getKernelMappings().get(0).setSign(sign);
        client.resource(m).create();

        String kernel = client.nodes().withName("kmm-real-node").get().getStatus().getNodeInfo().getKernelVersion();
        await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            List<DaemonSet> loaders = client.apps().daemonSets().inNamespace(NS)
                    .withLabel(Labels.MODULE_NAME, "kmm-hello-signed").list().getItems();
            assertThat(loaders).singleElement().satisfies(ds -> assertThat(ds.getSpec().getTemplate().getSpec()
                    .getContainers().get(0).getImage()).isEqualTo(image + ":" + kernel));
        });
        String signLog = cluster.kubectlOk("-n", NS, "logs", "-l", Labels.MODULE_NAME + "=kmm-hello-signed,"
                + Labels.ROLE + "=" + Labels.ROLE_BUILD, "--tail=-1", "--prefix");
        System.out.println("[RealBuildIT] the signed build's logs:\n" + signLog);
        assertThat(signLog).contains("signed /opt/lib/modules/" + kernel + "/extra/kmm_hello.ko")
                .contains("Pushed " + image).doesNotContain(auth.password());

        // The node pulled the signed image with the Secret's credentials (the container exists: its image ID is set;
        // it cannot load anything into this machine's kernel, so it does not stay up).
        try {
            await().atMost(Duration.ofMinutes(3)).untilAsserted(() -> {
                var pods = client.pods().inNamespace(NS).withLabel(Labels.MODULE_NAME, "kmm-hello-signed")
                        .withLabel(Labels.ROLE, Labels.ROLE_MODULE_LOADER).list().getItems();
                assertThat(pods).singleElement().satisfies(p -> assertThat(p.getStatus().getContainerStatuses())
                        .singleElement().satisfies(c -> assertThat(c.getImageID()).contains("sha256:")));
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            System.out.println("[RealBuildIT] the loader pod:\n" + cluster.kubectlOk("-n", NS, "describe", "pods",
                    "-l", Labels.MODULE_NAME + "=kmm-hello-signed," + Labels.ROLE + "=" + Labels.ROLE_MODULE_LOADER));
            throw e;
        }
        // ... which the registry wants: without them it refuses
        Commands.Result anonymous = Commands.run(Duration.ofMinutes(1), Map.of(), null, List.of("skopeo", "inspect",
                "--tls-verify=false", "docker://" + image + ":" + kernel));
        assertThat(anonymous.code()).isNotZero();
        assertThat(anonymous.stderr()).containsIgnoringCase("unauthorized");

        // The module: signed with the test key (the kernel's format, checked with openssl; modinfo reads the signer)
        Path unsigned = rootfs(io.kmm.kernel.SignSettings.unsignedImage(image + ":" + kernel), credentials,
                WORK.resolve("images/unsigned"));
        Path signed = rootfs(image + ":" + kernel, credentials, WORK.resolve("images/signed"));
        Path unsignedKo = unsigned.resolve("opt/lib/modules/" + kernel + "/extra/kmm_hello.ko");
        Path signedKo = signed.resolve("opt/lib/modules/" + kernel + "/extra/kmm_hello.ko");
        assertThat(keys.verifySignature(signedKo)).isEqualTo(Files.readAllBytes(unsignedKo));
        assertThat(Commands.ok(Duration.ofSeconds(30), "modinfo", "-F", "signer", signedKo.toString()).strip())
                .isEqualTo("KMM real build test key");
        assertThat(Commands.ok(Duration.ofSeconds(30), "modinfo", "-F", "sig_hashalgo", signedKo.toString()).strip())
                .isEqualTo("sha256");
        assertThat(Commands.ok(Duration.ofSeconds(30), "modinfo", "-F", "signer", unsignedKo.toString())).isBlank();

        // Both images' modules on a real kernel, with the loader DaemonSet's own steps
        DaemonSet loader = client.apps().daemonSets().inNamespace(NS).withLabel(Labels.MODULE_NAME,
                "kmm-hello-signed").list().getItems().get(0);
        var container = loader.getSpec().getTemplate().getSpec().getContainers().get(0);
        Path guest = WORK.resolve("guest");
        io.kmm.process.Trees.deleteRecursively(guest);
        Commands.ok(Duration.ofMinutes(5), "dev/kernel-vm", "rootfs", guest.toString());
        Files.createDirectories(guest.resolve("images"));
        // as they are: the images' symbolic links (/bin/sh, the kernel's directory) point inside their own roots
        Commands.ok(Duration.ofMinutes(1), "cp", "-a", unsigned.toString(), guest.resolve("images/unsigned").toString());
        Commands.ok(Duration.ofMinutes(1), "cp", "-a", signed.toString(), guest.resolve("images/signed").toString());
        Files.createDirectories(guest.resolve("kmm"));
        Files.writeString(guest.resolve("kmm/load.sh"), container.getCommand().get(2));
        Files.writeString(guest.resolve("kmm/unload.sh"), container.getLifecycle().getPreStop().getExec()
                .getCommand().get(2));
        Files.copy(Path.of("src/test/kernel/init-images"), guest.resolve("init"));
        Files.setPosixFilePermissions(guest.resolve("init"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Commands.Result boot = Commands.run(Duration.ofMinutes(20), Map.of(), null,
                List.of("dev/kernel-vm", "boot", guest.toString(), "quiet"));
        String console = boot.stdout().replace("\r", "");
        Files.writeString(WORK.resolve("console.log"), console + boot.stderr());
        List<String> findings = console.lines().filter(l -> l.contains("KMM-TEST "))
                .map(l -> l.substring(l.indexOf("KMM-TEST ") + "KMM-TEST ".length())).toList();
        System.out.println("[RealBuildIT] guest findings:\n  " + String.join("\n  ", findings));
        assertThat(findings).as("the guest ran to its end (console in %s)", WORK.resolve("console.log"))
                .contains("end", "kernel " + headers, "sig_enforce N");
        for (String which : List.of("unsigned", "signed")) {
            assertThat(findings).contains(which + " load-output KMM: loaded: kmm_hello; waiting until the pod stops "
                    + "(its preStop hook unloads)", which + " loader running", which + " unload exited 0",
                    which + " loader stopped with 0",
                    // out of tree, and not verified: this kernel does not have the test key
                    which + " taint OE")
                    .anySatisfy(f -> assertThat(f).startsWith(which + " loaded modules").contains("kmm_hello"))
                    .anySatisfy(f -> assertThat(f).startsWith(which + " unloaded modules")
                            .doesNotContain("kmm_hello"))
                    .anySatisfy(f -> assertThat(f).startsWith(which + " enforced modules").doesNotContain("kmm_hello"))
                    .contains(which + " loader exited 1", which + " load-output modprobe: ERROR: could not insert "
                            + "'kmm_hello': Key was rejected by service");
        }
        assertThat(findings).contains("dmesg kmm_hello: loaded", "dmesg kmm_hello: unloaded", "sig_enforce Y")
                // this kernel trusts neither: it finds no signature in one and no key for the other's
                .contains("dmesg Loading of unsigned module is rejected",
                        "dmesg Loading of module with unavailable key is rejected");
    }

    /**
     * A Dockerfile that does not compile: the Job fails once, the Module says BuildFailed with the failing step and
     * the compiler's words (status and event); fixing the Dockerfile builds again.
     */
    @Test
    void aCompileErrorSaysWhichStepAndWhyAndTheFixBuilds() throws Exception {
        String good = Files.readString(Path.of("src/test/builds/Dockerfile.kmm-hello"));
        String broken = good.replace("'module_init(hello_init);'", "'module_init(hello_init) not_c;'");
        assertThat(broken).isNotEqualTo(good);
        String image = registry + "/kmm-test/kmm-hello-broken:${KERNEL_FULL_VERSION}";
        Module m = realModule("kmm-hello-broken", TestModules.regexp("^.+$", image));
        m.getSpec().getKernelMappings().get(0).setBuild(inlineBuild(broken));
        client.resource(m).create();

        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            Module now = client.resources(Module.class).inNamespace(NS).withName("kmm-hello-broken").get();
            var degraded = io.kmm.status.Conditions.find(now.getStatus().getConditions(),
                    io.kmm.status.Conditions.DEGRADED).orElseThrow();
            assertThat(degraded.getReason()).isEqualTo("BuildFailed");
            assertThat(degraded.getMessage()).contains("step 'RUN make -C /lib/modules/${HEADERS}/build M=/src "
                    + "modules' failed: /src/kmm_hello.c").contains("error: ")
                    .contains("kaniko: error building image");
        });
        String describe = cluster.kubectlOk("-n", NS, "describe", "module", "kmm-hello-broken");
        System.out.println("[RealBuildIT] kubectl describe of the broken build's Module:\n" + describe);
        String events = cluster.kubectlOk("-n", NS, "get", "events", "--field-selector",
                "involvedObject.name=kmm-hello-broken", "-o", "custom-columns=REASON:.reason,MESSAGE:.message");
        assertThat(events).contains("BuildFailed").contains("step 'RUN make");
        assertThat(client.batch().v1().jobs().inNamespace(NS).withLabel(Labels.MODULE_NAME, "kmm-hello-broken")
                .list().getItems()).as("one Job, not retried").hasSize(1);

        // The fix: a new Dockerfile is a new build, which succeeds; the failed Job is replaced
        client.resources(Module.class).inNamespace(NS).withName("kmm-hello-broken").edit(e -> {
            e.getSpec().getKernelMappings().get(0).getBuild().setDockerfile(good);
            return e;
        });
        String kernel = client.nodes().withName("kmm-real-node").get().getStatus().getNodeInfo().getKernelVersion();
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            List<DaemonSet> loaders = client.apps().daemonSets().inNamespace(NS)
                    .withLabel(Labels.MODULE_NAME, "kmm-hello-broken").list().getItems();
            assertThat(loaders).singleElement().satisfies(ds -> assertThat(ds.getSpec().getTemplate().getSpec()
                    .getContainers().get(0).getImage()).isEqualTo(registry + "/kmm-test/kmm-hello-broken:" + kernel));
            Module now = client.resources(Module.class).inNamespace(NS).withName("kmm-hello-broken").get();
            assertThat(io.kmm.status.Conditions.find(now.getStatus().getConditions(),
                    io.kmm.status.Conditions.DEGRADED).orElseThrow().getStatus()).isEqualTo("False");
        });
    }

    /**
     * A Module as a user writes it for these images: modprobe loads kmm_hello from the image (the operator generates the
     * loader's steps), on the real node (labelled type=real).
     */
    private static Module realModule(String name, io.kmm.api.v1alpha1.KernelMapping mapping) {
        Module m = TestModules.module(NS, name, Map.of("type", "real"), mapping);
        m.getSpec().setModuleLoader(new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("loader")
                .withImage("unused").build());
        io.kmm.api.v1alpha1.Modprobe modprobe = new io.kmm.api.v1alpha1.Modprobe();
        modprobe.setModuleName("kmm_hello");
        m.getSpec().setModprobe(modprobe);
        return m;
    }

    /**
     * An image's root file system: pulled with skopeo (with credentials "user:password", or none), its layers
     * unpacked in the manifest's order.
     */
    private static Path rootfs(String image, String credentials, Path dir) throws Exception {
        io.kmm.process.Trees.deleteRecursively(dir);
        Files.createDirectories(dir);
        Path oci = dir.resolve("oci");
        List<String> copy = new java.util.ArrayList<>(List.of("skopeo", "copy", "--src-tls-verify=false"));
        if (credentials != null) {
            copy.add("--src-creds=" + credentials);
        }
        copy.addAll(List.of("docker://" + image, "dir:" + oci));
        Commands.Result pulled = Commands.run(Duration.ofMinutes(2), Map.of(), null, copy);
        assertThat(pulled.code()).as("skopeo copy %s: %s", image, pulled.stderr()).isZero();
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(oci.resolve("manifest.json").toFile());
        for (var layer : manifest.get("layers")) {
            Path blob = oci.resolve(layer.get("digest").asText().substring("sha256:".length()));
            Commands.ok(Duration.ofMinutes(1), "tar", "-xzf", blob.toString(), "-C", rootfs.toString());
        }
        return rootfs;
    }

    /** What Kaniko printed in a Module's build pod. */
    private static String buildLog(String module) throws Exception {
        return cluster.kubectlOk("-n", NS, "logs", "-l", Labels.MODULE_NAME + "=" + module + "," + Labels.ROLE + "="
                + Labels.ROLE_BUILD, "--tail=-1");
    }

    /** A build of this Dockerfile with the builder base and the headers' kernel, into the plain-HTTP registry. */
    private static Build inlineBuild(String dockerfile) {
        Build build = new Build();
        build.setDockerfile(dockerfile);
        builderArgsAndPlainHttp(build);
        return build;
    }

    /** BUILDER and HEADERS build arguments; pull and push over plain HTTP (the registries at the node's address). */
    private static void builderArgsAndPlainHttp(Build build) {
        build.setBuildArgs(List.of(new BuildArg("BUILDER", builder), new BuildArg("HEADERS", headers)));
        RegistryOptions insecure = new RegistryOptions();
        insecure.setInsecure(true);
        build.setPull(insecure);
        build.setPush(insecure);
    }

    /** A Module built from the test's Git repository (the Dockerfile in kmm/) at a ref, into the node's registry. */
    private static Module gitModule(String name, String ref) {
        Module m = realModule(name, TestModules.regexp("^.+$", registry + "/kmm-test/" + name + ":${KERNEL_FULL_VERSION}"));
        Build build = new Build();
        io.kmm.api.v1alpha1.GitSource source = new io.kmm.api.v1alpha1.GitSource();
        source.setUrl(git.url() + "driver.git");
        source.setRef(ref);
        source.setContextDir("kmm");
        build.setGit(source);
        builderArgsAndPlainHttp(build);
        m.getSpec().getKernelMappings().get(0).setBuild(build);
        return m;
    }
}
