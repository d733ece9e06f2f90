package io.kmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kmm.meta.Labels;
import io.kmm.status.Conditions;

/**
 * Day two on a real control plane, as docs/upgrade.md and docs/uninstall.md tell a user to do it: upgrading from the
 * previous release's CRD to this one ({@code kubectl apply -k kubernetes/}, a new operator) keeps an existing Module
 * Ready without touching its DaemonSets or restarting its pods; uninstalling (docs/uninstall.md's commands, run as
 * written) removes the Modules, their DaemonSets and pods, the operator, the CRD and the kernel labels.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LifecycleIT {

    static {
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    /** The CRD of the previous version (see src/test/resources/upgrade/). */
    static final Path PREVIOUS_CRD = Path.of("src/test/resources/upgrade/previous-crd.yml");
    private static final String NS = "e2e-lifecycle";
    private static final String VMX = "feature.node.kubernetes.io/cpu-cpuid.VMX";
    private static final String[] NODES = { "lifecycle-fedora", "lifecycle-gke" };
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static Scenario scenario;
    private static LocalCluster cluster;
    private static Kube kube;

    @BeforeAll
    static void start() throws Exception {
        scenario = Scenario.begin(LifecycleIT.class, NS);
        cluster = scenario.cluster;
        kube = scenario.kube;
        cluster.addNode(NODES[0], "5.16.11-200.fc35.x86_64", Map.of(VMX, "true"));
        cluster.addNode(NODES[1], "5.4.0-1054-gke", Map.of(VMX, "true"));
    }

    @AfterAll
    static void finish() throws Exception {
        try {
            scenario.finish(NODES);
        } finally {
            Installation.reinstall(); // the next test class finds this version installed, whatever happened here
        }
    }

    /** docs/install.md: a kustomization of your own that installs kubernetes/ with your image of the operator. */
    @Test
    @Order(0)
    void anOverlayPointsTheInstallAtYourOwnImage() throws Exception {
        Path overlay = Path.of("target", "kustomize-own-image");
        java.nio.file.Files.createDirectories(overlay);
        java.nio.file.Files.writeString(overlay.resolve("kustomization.yaml"), """
                resources:
                  - ../../kubernetes
                images:
                  - name: quay.io/kmm/kmm-operator
                    newName: registry.example.com/platform/kmm-operator
                    newTag: "1.2.3"
                """);
        String rendered = cluster.kubectlOk("kustomize", overlay.toString());
        assertThat(rendered).contains("image: registry.example.com/platform/kmm-operator:1.2.3")
                .doesNotContain("image: quay.io/kmm/kmm-operator");
        // and the API server accepts the result as it would install it
        assertThat(cluster.kubectlOk("apply", "-k", overlay.toString(), "--dry-run=server"))
                .contains("deployment.apps/kmm-operator");
    }

    @Test
    @Order(1)
    void anUpgradeFromThePreviousCrdKeepsModulesRunningUntouched() throws Exception {
        // The previous version is installed and runs the design's sample.
        cluster.kubectlOk("apply", "-f", PREVIOUS_CRD.toString());
        assertThat(columns()).as("the previous CRD's printer columns").startsWith("Age");
        scenario.startOperator(Installation.QUICK_LEASE);
        // the sample as the previous version knew it (its CRD has no modprobe field)
        var sample = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(Path.of(
                        "docs/examples/module-sample.yaml").toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) sample.get("spec")).remove("modprobe");
        LocalCluster.Result applied = cluster.kubectlWithInput(sample.toString(), "apply", "-n", NS, "-f", "-");
        assertThat(applied.code()).as(applied.stderr()).isZero();
        awaitReady();
        Map<String, String> before = objects();
        assertThat(before).as("loader and device-plugin DaemonSets and pods").hasSizeGreaterThanOrEqualTo(6);

        // The upgrade, as docs/upgrade.md says: the new manifests (CRD included), then the new operator.
        scenario.operator().close();
        scenario.forgetOperator();
        String apply = cluster.kubectlOk("apply", "-k", "kubernetes/");
        assertThat(apply).contains("customresourcedefinition.apiextensions.k8s.io/modules.ooto.sigs.k8s.io configured");
        cluster.kubectlOk("-n", Installation.NAMESPACE, "scale", "deployment/kmm-operator", "--replicas=0");
        assertThat(columns()).as("this version's printer columns").containsExactly("Ready", "Nodes", "Available",
                "Age", "Reason");
        Instant upgraded = Instant.now();
        scenario.startOperator(Installation.QUICK_LEASE);

        // The existing Module is read back through the new CRD...
        awaitReady();
        String table = cluster.kubectlOk("get", "modules", "-n", NS);
        assertThat(table.lines().findFirst().orElseThrow().split("\\s+")).containsExactly("NAME", "READY", "NODES",
                "AVAILABLE", "AGE", "REASON");
        assertThat(table).contains("AllLoadersAvailable");
        // ...without a write to its DaemonSets (no pod restarted: same pods, same DaemonSet generations).
        Thread.sleep(3000); // a write after the first reconcile would show here
        assertThat(objects()).isEqualTo(before);
        List<AuditLog.Entry> writes = AuditLog.of(cluster.auditLog(), Installation.USER, upgraded).stream()
                .filter(AuditLog.Entry::isWrite)
                .filter(e -> !List.of("leases", "events").contains(e.resource())) // leader election, start-up events
                .filter(e -> !"authorization.k8s.io".equals(e.group())) // access reviews: questions, nothing stored
                .toList();
        assertThat(writes).as("the new operator's writes after the upgrade").isEmpty();

        // ...and the new operator manages it: a change to the Module is acted upon.
        cluster.kubectlOk("patch", "module", "module-sample", "-n", NS, "--type=json", "-p",
                "[{\"op\":\"remove\",\"path\":\"/spec/devicePlugin\"}]");
        await().atMost(TIMEOUT).until(() -> kube.devicePlugins(NS, "module-sample").isEmpty());
        awaitReady();
    }

    @Test
    @Order(2)
    void uninstallRemovesModulesAndTheGarbageCollectorTheirLoaders() throws Exception {
        assertThat(kube.loaders(NS, "module-sample")).isNotEmpty();
        scenario.operator().close(); // the Deployment's pod goes first when the namespace is deleted
        scenario.forgetOperator();

        // docs/uninstall.md's commands as a user pastes them (this cluster has no Prometheus Operator)
        String doc = Files.readString(Path.of("docs/uninstall.md"));
        int from = doc.indexOf("```shell", doc.indexOf("## In order")) + "```shell".length();
        String block = doc.substring(from, doc.indexOf("```", from));
        assertThat(block).contains("kubectl delete -k kubernetes/").contains("kubernetes/monitoring/");
        LocalCluster.Result uninstall = cluster.shell(block);
        assertThat(uninstall.code()).as("docs/uninstall.md's commands: %s%s", uninstall.stdout(), uninstall.stderr())
                .isZero();

        assertThat(cluster.kubectl("get", "crd", "modules.ooto.sigs.k8s.io").stderr()).contains("NotFound");
        assertThat(cluster.kubectl("get", "namespace", Installation.NAMESPACE).stderr()).contains("NotFound");
        assertThat(cluster.kubectl("get", "clusterrole", "kmm-operator").stderr()).contains("NotFound");
        await().atMost(TIMEOUT).until(() -> cluster.admin().apps().daemonSets().inNamespace(NS)
                .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems().isEmpty()
                && cluster.admin().pods().inNamespace(NS).list().getItems().isEmpty());
        assertThat(kube.kernelLabel(NODES[0])).isNull();
    }

    private static void awaitReady() {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(kube.observed(NS, "module-sample")).isTrue();
            assertThat(kube.module(NS, "module-sample").getStatus().getTargetedNodes()).isEqualTo(2);
            assertThat(kube.conditionStatus(NS, "module-sample", Conditions.READY)).isEqualTo("True");
        });
    }

    /** The printer columns of the installed CRD, in order. */
    private static List<String> columns() throws Exception {
        return List.of(cluster.kubectlOk("get", "crd", "modules.ooto.sigs.k8s.io", "-o",
                "jsonpath={.spec.versions[0].additionalPrinterColumns[*].name}").trim().split(" "));
    }

    /** Every DaemonSet and pod of the namespace: kind/name → uid and generation. */
    private static Map<String, String> objects() {
        Map<String, String> objects = new TreeMap<>();
        for (HasMetadata o : cluster.admin().apps().daemonSets().inNamespace(NS).list().getItems()) {
            objects.put("DaemonSet/" + o.getMetadata().getName(), o.getMetadata().getUid() + " generation "
                    + o.getMetadata().getGeneration());
        }
        for (HasMetadata o : cluster.admin().pods().inNamespace(NS).list().getItems()) {
            objects.put("Pod/" + o.getMetadata().getName(), o.getMetadata().getUid());
        }
        return objects;
    }
}
