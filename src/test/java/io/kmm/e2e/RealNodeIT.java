package io.kmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kmm.loader.ModprobeCommands;
import io.kmm.meta.LabelValues;
import io.kmm.meta.Labels;
import io.kmm.process.Commands;
import io.kmm.status.Conditions;

/**
 * The operator on a real node ({@code dev/local-cluster up --real-node}: kubelet, containerd and runc, kube-proxy), in
 * a cluster of its own: its image made here ({@code dev/operator-image}: a Java runtime from this machine's JDK, the
 * operator layered by Quarkus' Jib) and installed with {@code kubectl apply -k} of an overlay that names it, as
 * docs/install.md says. Then real loader pods: the operator-generated load and unload steps run in a container
 * (with a recording modprobe: this machine's kernel cannot load modules; KernelLoadIT loads on a real kernel), the
 * firmware lands on the host and leaves it, the module-ready label comes and goes, a kernel change moves the node to
 * the other DaemonSet with a real pod replacement, a device plugin registers with the real kubelet only where the
 * module is ready, a busybox-only loader image fails at once naming the fix. At the end the real authorizer's
 * verdicts on everything the in-cluster operator sent, and this machine as it was before.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealNodeIT {

    static {
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    private static final String NODE = "kmm-real-node";
    private static final String NS = "e2e-real-node";
    private static final String OPERATOR_NS = Installation.NAMESPACE;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    /** Generous: without the release on shutdown a new pod waits until the Lease expires (137 s as shipped). */
    private static final Duration LEASE_TAKEOVER = Duration.ofMinutes(5);
    private static final Path HOST_FIRMWARE = Path.of(ModprobeCommands.FIRMWARE_DIR, TestImages.FIRMWARE_FILE);

    private static String hostBefore;
    private static LocalCluster cluster;
    private static KubernetesClient client;
    private static Kube kube;
    private static Installation installation;
    private static Instant since;
    private static String operatorImage;
    private static String recordingLoader;
    private static String busyboxLoader;
    private static String devicePlugin;

    @BeforeAll
    static void clusterWithARealNodeAndTheOperatorInIt() throws Exception {
        Assumptions.assumeTrue("0".equals(Commands.ok(Duration.ofSeconds(10), "id", "-u").strip()),
                "a real node needs root (containers, a network bridge, cgroups): run the tests as root, as CI does");
        hostBefore = Commands.ok(Duration.ofSeconds(30), "dev/local-cluster", "host-state");
        cluster = LocalCluster.startWithRealNode(Path.of("target", "real-node-cluster").toAbsolutePath());
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::down, "real-node-cluster-down"));
        client = cluster.admin();
        kube = new Kube(client);

        String registry = cluster.registry();
        operatorImage = TestImages.operator(registry, "e2e");
        recordingLoader = TestImages.recordingLoader(registry);
        busyboxLoader = TestImages.busyboxOnlyLoader(registry);
        devicePlugin = TestImages.devicePlugin(registry);

        // docs/install.md: kubernetes/ as it is, through a kustomization that names your image
        Path overlay = Path.of("target", "real-node-install");
        Files.createDirectories(overlay);
        int colon = operatorImage.lastIndexOf(':');
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                resources:
                  - ../../kubernetes
                images:
                  - name: quay.io/kmm/kmm-operator
                    newName: %s
                    newTag: "%s"
                """.formatted(operatorImage.substring(0, colon), operatorImage.substring(colon + 1)));
        since = Instant.now();
        installation = Installation.inCluster(cluster, overlay);
        cluster.kubectlOk("-n", OPERATOR_NS, "rollout", "status", "deployment/kmm-operator", "--timeout=240s");
        cluster.kubectlOk("create", "namespace", NS);
    }

    @AfterAll
    static void judgeAndRestoreTheMachine() throws Exception {
        if (cluster == null) {
            return;
        }
        try {
            Path logs = Path.of("target", "e2e-logs");
            Files.createDirectories(logs);
            Files.writeString(logs.resolve("RealNodeIT-operator.log"),
                    cluster.kubectl("-n", OPERATOR_NS, "logs", "deployment/kmm-operator", "--tail=-1").stdout());
            List<String> used = installation.assertLeastPrivilege(since);
            System.out.println("[RealNodeIT] the in-cluster operator used: " + used);
        } finally {
            cluster.down();
            String hostAfter = Commands.ok(Duration.ofSeconds(30), "dev/local-cluster", "host-state");
            assertThat(hostAfter).as("what the real node changed on this machine is undone by down")
                    .isEqualTo(hostBefore);
        }
    }

    private static Pod operatorPod() {
        return client.pods().inNamespace(OPERATOR_NS).withLabel("app.kubernetes.io/name", "kmm-operator").list()
                .getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(Kube::ready).findFirst().orElse(null);
    }

    private static String leaseHolder() {
        var lease = client.leases().inNamespace(OPERATOR_NS).withName("kmm-operator-lock").get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    private static Node node() {
        return client.nodes().withName(NODE).get();
    }

    private static String allocatable(String resource) {
        Quantity q = node().getStatus().getAllocatable().get(resource);
        return q == null ? null : q.toString();
    }

    private static Pod loaderPod(String module) {
        return client.pods().inNamespace(NS).withLabel(Labels.MODULE_NAME, module)
                .withLabel(Labels.ROLE, Labels.ROLE_MODULE_LOADER).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).findFirst().orElse(null);
    }

    private static String logs(Pod pod) throws Exception {
        return cluster.kubectlOk("-n", NS, "logs", pod.getMetadata().getName());
    }

    private static final String READY_LABEL = Labels.moduleReady(NS, "kmm-test");

    private static String module(String name, String image, boolean devicePluginToo) {
        return """
                apiVersion: ooto.sigs.k8s.io/v1alpha1
                kind: Module
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  moduleLoader:
                    name: loader
                    image: ignored
                  modprobe:
                    moduleName: kmm_test_a
                    parameters: [greeting=hello, level=3]
                    modulesLoadingOrder: [kmm_test_a, kmm_test_b]
                    firmwarePath: /firmware
                  inTreeModulesToRemove: [kmm_absent_module]
                  kernelMappings:
                    - regexp: '^.+$'
                      containerImage: %s
                  selector:
                    type: real
                """.formatted(name, NS, image) + (devicePluginToo ? """
                  devicePlugin:
                    name: device-plugin
                    image: %s
                """.formatted(devicePlugin) : "");
    }

    @Test
    @Order(1)
    void theOperatorRunsInTheClusterFromItsImageAsTheShippedServiceAccount() throws Exception {
        Pod pod = await().atMost(TIMEOUT).until(RealNodeIT::operatorPod, p -> p != null);
        assertThat(pod.getSpec().getNodeName()).isEqualTo(NODE);
        assertThat(pod.getSpec().getServiceAccountName()).isEqualTo(Installation.SERVICE_ACCOUNT);
        Container c = pod.getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo(operatorImage);
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        // the image's user, as the JVM in the running container sees it (runAsNonRoot is enforced by the kubelet)
        LocalCluster.Result props = cluster.kubectl("-n", OPERATOR_NS, "exec", pod.getMetadata().getName(), "--",
                "java", "-XshowSettings:properties", "-version");
        assertThat(props.stdout() + props.stderr()).contains("user.name = kmm", "user.home = /tmp");

        // leader election: the pod holds the Lease
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(leaseHolder()).isEqualTo(pod.getMetadata().getName()));
        // metrics scraped from the pod through its Service; health through the pod
        String metrics = cluster.kubectlOk("get", "--raw",
                "/api/v1/namespaces/" + OPERATOR_NS + "/services/kmm-operator:http/proxy/q/metrics");
        assertThat(metrics).contains("# HELP kmm_", "kmm_node_label_updates_total 1.0");
        String ready = cluster.kubectlOk("get", "--raw", "/api/v1/namespaces/" + OPERATOR_NS + "/pods/"
                + pod.getMetadata().getName() + ":8080/proxy/q/health/ready");
        assertThat(ready).contains("\"status\": \"UP\"");
        // it reconciles: the node's kernel label, from what the real kubelet reports
        String kernel = node().getStatus().getNodeInfo().getKernelVersion();
        assertThat(kernel).isEqualTo(Commands.ok(Duration.ofSeconds(5), "uname", "-r").strip());
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(kube.kernelLabel(NODE))
                .isEqualTo(LabelValues.normalise(kernel)));
    }

    @Test
    @Order(2)
    void aLoaderRunsTheGeneratedStepsCopiesFirmwareAndTheDevicePluginRegistersWhereTheModuleIsReady()
            throws Exception {
        assertThat(allocatable(TestImages.DEVICE_RESOURCE)).isNull();
        cluster.kubectlWithInput(module("kmm-test", recordingLoader, true), "apply", "-f", "-");

        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(kube.conditionStatus(NS, "kmm-test", Conditions.READY)).isEqualTo("True");
            assertThat(node().getMetadata().getLabels()).containsEntry(READY_LABEL, "true");
        });
        Pod loader = loaderPod("kmm-test");
        assertThat(loader.getSpec().getNodeName()).isEqualTo(NODE);
        assertThat(loader.getSpec().getContainers().get(0).getSecurityContext().getCapabilities().getAdd())
                .containsExactly("SYS_MODULE");
        // the generated load step, as it ran: the absent in-tree module skipped, the modules loaded in order
        assertThat(logs(loader).lines()).containsSubsequence(
                "KMM: in-tree module kmm_absent_module is not loaded: nothing to remove",
                "KMM-RECORDER modprobe -v -d /opt kmm_test_a greeting=hello level=3",
                "KMM-RECORDER modprobe -v -d /opt kmm_test_b",
                "KMM: loaded: kmm_test_a kmm_test_b; waiting until the pod stops (its preStop hook unloads)");
        // the firmware copied from the image to the node's firmware directory
        assertThat(HOST_FIRMWARE).hasContent("KMM test firmware");

        // the device plugin runs where the module is ready, and the real kubelet offers its devices
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(kube.devicePlugins(NS, "kmm-test")).singleElement()
                    .satisfies(ds -> assertThat(kube.readyPodsByNode(NS, ds)).containsOnlyKeys(NODE));
            assertThat(allocatable(TestImages.DEVICE_RESOURCE)).isEqualTo("2");
        });
    }

    @Test
    @Order(3)
    void aKernelChangeMovesTheNodeToTheOtherDaemonSetWithARealPodReplacement() throws Exception {
        DaemonSet before = kube.loaders(NS, "kmm-test").get(0);
        Pod oldPod = loaderPod("kmm-test");
        String oldKernel = node().getStatus().getNodeInfo().getKernelVersion();

        // the kubelet started again reporting another kernel release, as after a reboot into a new kernel
        cluster.control("restart-kubelet", "--uname-2.6");
        String newKernel = await().atMost(TIMEOUT).until(() -> node().getStatus().getNodeInfo().getKernelVersion(),
                k -> k != null && !k.equals(oldKernel));
        assertThat(newKernel).startsWith("2.6.");

        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(kube.kernelLabel(NODE)).isEqualTo(LabelValues.normalise(newKernel));
            List<DaemonSet> loaders = kube.loaders(NS, "kmm-test");
            assertThat(loaders).singleElement().satisfies(ds -> {
                assertThat(ds.getMetadata().getName()).isNotEqualTo(before.getMetadata().getName());
                assertThat(kube.readyPodsByNode(NS, ds)).containsOnlyKeys(NODE);
            });
            assertThat(client.pods().inNamespace(NS).withName(oldPod.getMetadata().getName()).get()).isNull();
            assertThat(kube.conditionStatus(NS, "kmm-test", Conditions.READY)).isEqualTo("True");
            assertThat(kube.module(NS, "kmm-test").getStatus().getKernels())
                    .extracting(k -> k.getKernel()).containsExactly(newKernel);
        });
        Pod newPod = loaderPod("kmm-test");
        assertThat(newPod.getMetadata().getUid()).isNotEqualTo(oldPod.getMetadata().getUid());
        assertThat(logs(newPod)).contains("KMM-RECORDER modprobe -v -d /opt kmm_test_b", "KMM: loaded:");
        // the device plugin registered again with the restarted kubelet
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(node().getMetadata().getLabels()).containsEntry(READY_LABEL, "true");
            assertThat(allocatable(TestImages.DEVICE_RESOURCE)).isEqualTo("2");
        });
    }

    @Test
    @Order(4)
    void aLoaderImageWithoutKmodFailsAtOnceNamingTheFix() throws Exception {
        cluster.kubectlWithInput(module("no-kmod", busyboxLoader, false), "apply", "-f", "-");
        String label = Labels.moduleReady(NS, "no-kmod");
        // restarted again and again, never Ready (the readiness probe waits for the load step's mark), so the
        // module-ready label never comes, not even for a moment
        Path out = Files.createTempFile("node-labels", ".txt");
        Process watch = cluster.kubectlInBackground(out, "get", "node", NODE, "--watch", "-o",
                "jsonpath={.metadata.labels}{\"\\n\"}");
        try {
            await().atMost(TIMEOUT).untilAsserted(() -> {
                Pod pod = loaderPod("no-kmod");
                assertThat(pod.getStatus().getContainerStatuses()).singleElement()
                        .satisfies(s -> assertThat(s.getRestartCount()).isGreaterThanOrEqualTo(2));
                assertThat(cluster.kubectlOk("-n", NS, "logs", pod.getMetadata().getName(), "--previous"))
                        .contains(ModprobeCommands.NO_KMOD, "apk add kmod");
                // the same words in the pod's status (terminationMessagePolicy FallbackToLogsOnError)
                assertThat(pod.getStatus().getContainerStatuses().get(0).getLastState().getTerminated()
                        .getMessage()).contains(ModprobeCommands.NO_KMOD);
            });
            assertThat(Files.readString(out)).doesNotContain(label);
        } finally {
            watch.destroy();
            Files.deleteIfExists(out);
        }
        assertThat(loaderPod("no-kmod").getStatus().getConditions())
                .noneSatisfy(c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Ready=True"));
        var ready = kube.condition(NS, "no-kmod", Conditions.READY).orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("LoadersNotAvailable");
        assertThat(node().getMetadata().getLabels()).doesNotContainKey(label);
        cluster.kubectlOk("-n", NS, "delete", "module", "no-kmod", "--wait=true", "--timeout=120s");
    }

    @Test
    @Order(5)
    void theOperatorSurvivesARestartOfItsPodAndRewritesNothing() throws Exception {
        Pod old = operatorPod();
        DaemonSet loader = kube.loaders(NS, "kmm-test").get(0);
        Instant restarted = Instant.now();
        Path oldLog = Files.createTempFile("operator-log", ".txt");
        Process follow = cluster.kubectlInBackground(oldLog, "-n", OPERATOR_NS, "logs", "-f",
                old.getMetadata().getName());
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(oldLog).contains("started in"));
            cluster.kubectlOk("-n", OPERATOR_NS, "delete", "pod", old.getMetadata().getName(), "--wait=false");
            assertThat(follow.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            // a clean shutdown gives the Lease up, so the new pod need not wait until it expires
            assertThat(Files.readString(oldLog)).contains("leader election: Lease " + OPERATOR_NS
                    + "/kmm-operator-lock released");
        } finally {
            follow.destroy();
            Files.deleteIfExists(oldLog);
        }
        Pod replacement = await().atMost(TIMEOUT).until(RealNodeIT::operatorPod,
                p -> p != null && !p.getMetadata().getName().equals(old.getMetadata().getName()));
        await().atMost(LEASE_TAKEOVER).untilAsserted(() -> assertThat(leaseHolder())
                .isEqualTo(replacement.getMetadata().getName()));
        // the new leader finds everything as it wants it: the same DaemonSet, not written
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cluster.kubectlOk("-n", OPERATOR_NS, "logs",
                replacement.getMetadata().getName())).contains("Started event processing for controller: module"));
        Thread.sleep(5_000); // a few seconds of the new leader's steady state
        DaemonSet now = kube.loaders(NS, "kmm-test").get(0);
        assertThat(now.getMetadata().getUid()).isEqualTo(loader.getMetadata().getUid());
        assertThat(now.getMetadata().getGeneration()).isEqualTo(loader.getMetadata().getGeneration());
        List<AuditLog.Entry> writes = AuditLog.of(cluster.auditLog(), Installation.USER, restarted).stream()
                .filter(e -> List.of("create", "update", "patch", "delete").contains(e.verb()))
                .filter(e -> !e.resource().equals("leases") && !e.resource().equals("events"))
                .filter(e -> !e.group().equals("authorization.k8s.io")) // its start-up permission check
                .toList();
        assertThat(writes).as("writes of the restarted operator").isEmpty();
        assertThat(kube.conditionStatus(NS, "kmm-test", Conditions.READY)).isEqualTo("True");
    }

    @Test
    @Order(6)
    void deletingTheModuleRunsThePreStopUnloadInReverseOrderAndRemovesFirmwareAndLabels() throws Exception {
        Pod loader = loaderPod("kmm-test");
        Path out = Files.createTempFile("loader-log", ".txt");
        Process follow = cluster.kubectlInBackground(out, "-n", NS, "logs", "-f", loader.getMetadata().getName());
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(out).contains("KMM: loaded"));
            cluster.kubectlOk("-n", NS, "delete", "module", "kmm-test", "--wait=false");
            // the stream ends when the container does
            assertThat(follow.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(out).lines()).containsSubsequence(
                    "KMM: loaded: kmm_test_a kmm_test_b; waiting until the pod stops (its preStop hook unloads)",
                    "KMM-RECORDER modprobe -r -v -d /opt kmm_test_b",
                    "KMM-RECORDER modprobe -r -v -d /opt kmm_test_a");
        } finally {
            follow.destroy();
            Files.deleteIfExists(out);
        }
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(HOST_FIRMWARE).doesNotExist();
            assertThat(node().getMetadata().getLabels()).doesNotContainKey(READY_LABEL);
            assertThat(kube.loaders(NS, "kmm-test")).isEmpty();
            assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
            // the kubelet no longer offers the devices of the plugin that stopped
            assertThat(allocatable(TestImages.DEVICE_RESOURCE)).isIn(null, "0");
        });
        cluster.kubectlOk("delete", "namespace", NS, "--wait=false");
        Map<String, String> labels = node().getMetadata().getLabels();
        assertThat(labels.keySet()).noneMatch(k -> k.endsWith(".ready"));
    }
}
