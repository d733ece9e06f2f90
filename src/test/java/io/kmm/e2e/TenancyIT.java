package io.kmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kmm.TestModules;
import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.Labels;
import io.kmm.status.Conditions;

/**
 * What a Module author or a tenant cannot do, on the real control plane (docs/security.md#the-threat-model): a Module
 * outside the allowed namespaces gets nothing (the operator's setting) and is refused at admission (the shipped
 * policy of kubernetes/policy/, installed with kubectl); a Ready pod that only looks like a loader labels no node;
 * the device plugin follows the module-ready label of a Module whose namespace and name are too long for a label
 * key; build pods carry no ServiceAccount token.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class TenancyIT {

    static {
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    private static final String NS = "e2e-tenancy";
    private static final String OTHER = "e2e-tenancy-elsewhere";
    /** A namespace and a Module name whose ready label key must be shortened (with a hash). */
    private static final String LONG_NS = "e2e-tenancy-a-namespace-with-a-long-name-x";
    private static final String LONG_NAME = "a-module-whose-name-is-as-long-as-a-module-name-may-be-63-chars";
    private static final String KERNEL = "6.1.0-tenancy";
    private static final String[] NODES = { "tenancy-1", "tenancy-2" };
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static Scenario scenario;
    private static LocalCluster cluster;
    private static Kube kube;

    @BeforeAll
    static void start() throws Exception {
        scenario = Scenario.begin(TenancyIT.class, NS);
        cluster = scenario.cluster;
        kube = scenario.kube;
        cluster.kubectlOk("create", "namespace", OTHER);
        cluster.kubectlOk("create", "namespace", LONG_NS);
        for (String n : NODES) {
            cluster.addNode(n, KERNEL, Map.of("pool", "tenancy"));
        }
        scenario.startOperator(Map.of("kmm.security.allowed-namespaces", NS + "," + LONG_NS,
                "kmm.leader-election.lease-duration", "4s", "kmm.leader-election.renew-deadline", "3s",
                "kmm.leader-election.retry-period", "1s"));
    }

    @AfterAll
    static void finish() throws Exception {
        // the policy and its settings must not reach the classes after this one
        cluster.kubectl("delete", "-k", "kubernetes/policy/", "--ignore-not-found");
        cluster.kubectl("-n", Installation.NAMESPACE, "patch", "configmap", "kmm-security", "--type=merge", "-p",
                "{\"data\":{\"allowedNamespaces\":\"*\"}}");
        cluster.kubectl("delete", "namespace", OTHER, LONG_NS, "--wait=false");
        List<String> used = scenario.finish(NODES);
        System.out.println("[TenancyIT] the operator used: " + used);
    }

    static Module module(String namespace, String name) {
        Module m = TestModules.module(namespace, name, Map.of("pool", "tenancy"),
                TestModules.regexp("^6\\.1\\.0-tenancy$", "quay.io/vendor/tenancy:${KERNEL_FULL_VERSION}"));
        m.getMetadata().setUid(null);
        m.getMetadata().setGeneration(null);
        return m;
    }

    static String yaml(Module m) {
        return io.fabric8.kubernetes.client.utils.Serialization.asJson(m);
    }

    static void apply(Module m) throws Exception {
        LocalCluster.Result r = cluster.kubectlWithInput(yaml(m), "apply", "-f", "-");
        assertThat(r.code()).as("kubectl apply: %s", r.stderr()).isZero();
    }

    /** What the API server's admission answers to creating the Module (a server-side dry run: nothing is stored). */
    static String admission(Module m) throws Exception {
        return cluster.kubectlWithInput(yaml(m), "create", "--dry-run=server", "-f", "-").stderr();
    }

    static Map<String, String> labels(String node) {
        return cluster.admin().nodes().withName(node).get().getMetadata().getLabels();
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void aModuleOutsideTheAllowedNamespacesGetsNothingAndSaysWhy() throws Exception {
        apply(module(OTHER, "elsewhere"));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            var degraded = kube.condition(OTHER, "elsewhere", Conditions.DEGRADED).orElseThrow();
            assertThat(degraded.getReason()).isEqualTo("NamespaceNotAllowed");
            assertThat(degraded.getMessage()).contains("Modules in namespace " + OTHER + " are not allowed");
        });
        assertThat(kube.loaders(OTHER, "elsewhere")).isEmpty();
        assertThat(AuditLog.of(cluster.auditLog(), Installation.USER, scenario.since).stream()
                .filter(e -> e.isWrite() && OTHER.equals(e.namespace()))
                .filter(e -> !e.resource().equals("events") && !e.resource().startsWith("modules")))
                .as("writes in the namespace that is not allowed").isEmpty();
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void onlyPodsOfTheOperatorsLoadersLabelNodesAndLongNamesAgree() throws Exception {
        apply(module(NS, "real"));
        Module longName = module(LONG_NS, LONG_NAME);
        longName.getSpec().setDevicePlugin(new ContainerBuilder().withName("dp").withImage("quay.io/vendor/dp:1")
                .build());
        apply(longName);
        String realLabel = Labels.moduleReady(NS, "real");
        String longLabel = Labels.moduleReady(LONG_NS, LONG_NAME);
        assertThat(longLabel.substring(longLabel.indexOf('/') + 1)).hasSize(63);

        // A tenant who may create pods: Ready pods (kwok runs them) with a loader's labels, one claiming a Module
        // that does not exist, one claiming the real Module on a node it does not select, and one with a forged
        // owner reference naming the real loader DaemonSet but another uid.
        await().atMost(TIMEOUT).until(() -> kube.loaders(NS, "real").size() == 1);
        var loader = kube.loaders(NS, "real").get(0);
        cluster.addNode("tenancy-unselected", KERNEL, Map.of("pool", "other"));
        try {
            forgedPod("forged-1", NODES[0], "forged-module", null);
            forgedPod("forged-2", "tenancy-unselected", "real", null);
            forgedPod("forged-3", "tenancy-unselected", "real", loader.getMetadata().getName());
            await().atMost(TIMEOUT).untilAsserted(() -> {
                for (String n : NODES) {
                    assertThat(labels(n)).containsEntry(realLabel, "true").containsEntry(longLabel, "true");
                }
                // the device plugin of the long-named Module selects the same key and runs there
                assertThat(kube.devicePlugins(LONG_NS, LONG_NAME)).singleElement().satisfies(ds -> assertThat(
                        kube.readyPodsByNode(LONG_NS, ds)).containsOnlyKeys(NODES));
                // (forged-3 may be gone already: the garbage collector deletes a pod whose owner uid does not exist)
                for (String forged : List.of("forged-1", "forged-2")) {
                    assertThat(cluster.admin().pods().inNamespace(NS).withName(forged).get().getStatus().getPhase())
                            .isEqualTo("Running");
                }
            });
            Thread.sleep(3_000); // a few more seconds for a wrong label to appear
            assertThat(labels(NODES[0])).doesNotContainKey(Labels.moduleReady(NS, "forged-module"));
            assertThat(labels("tenancy-unselected").keySet()).noneMatch(Labels::isModuleReady);
        } finally {
            cluster.admin().nodes().withName("tenancy-unselected").delete();
        }
    }

    private static void forgedPod(String name, String node, String module, String ownerDaemonSet) {
        var b = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .withLabels(Map.of(Labels.MODULE_NAME, module, Labels.ROLE, Labels.ROLE_MODULE_LOADER,
                        Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE));
        if (ownerDaemonSet != null) {
            b.addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet").withName(ownerDaemonSet)
                    .withUid("00000000-0000-4000-8000-000000000000").withController(true).endOwnerReference();
        }
        cluster.admin().pods().inNamespace(NS).resource(b.endMetadata().withNewSpec().withNodeName(node)
                .addNewContainer().withName("c").withImage("forged").endContainer().endSpec().build()).create();
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void buildPodsCarryNoServiceAccountToken() throws Exception {
        try (io.kmm.registry.TestRegistry registry = io.kmm.registry.TestRegistry.anonymous()) {
            buildPodWithoutToken(registry);
        }
    }

    private static void buildPodWithoutToken(io.kmm.registry.TestRegistry registry) throws Exception {
        Module m = module(NS, "builds");
        m.getSpec().getKernelMappings().get(0).setContainerImage(
                registry.host() + "/vendor/tenancy-build:${KERNEL_FULL_VERSION}");
        Build build = new Build();
        build.setDockerfile("FROM scratch");
        build.setPull(new io.kmm.api.v1alpha1.RegistryOptions(true));
        build.setPush(new io.kmm.api.v1alpha1.RegistryOptions(true));
        m.getSpec().getKernelMappings().get(0).setBuild(build);
        apply(m);
        // the registry says the image is missing: a build Job starts, and the Job controller makes its pod
        Job job = await().atMost(TIMEOUT).until(() -> kube.buildJobs(NS, "builds", "build"), j -> !j.isEmpty())
                .get(0);
        assertThat(job.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
        var pod = await().atMost(TIMEOUT).until(() -> cluster.admin().pods().inNamespace(NS)
                .withLabel("job-name", job.getMetadata().getName()).list().getItems(), p -> !p.isEmpty()).get(0);
        assertThat(pod.getSpec().getVolumes()).noneMatch(v -> v.getName().startsWith("kube-api-access"));
        assertThat(pod.getSpec().getContainers().get(0).getSecurityContext().getAllowPrivilegeEscalation())
                .isFalse();
    }

    @Test
    @org.junit.jupiter.api.Order(4)
    void theShippedPolicyRefusesAtAdmission() throws Exception {
        String applied = cluster.kubectlOk("apply", "-k", "kubernetes/policy/");
        assertThat(applied).contains("validatingadmissionpolicy.admissionregistration.k8s.io/kmm-modules",
                "validatingadmissionpolicybinding.admissionregistration.k8s.io/kmm-modules");
        cluster.kubectlOk("-n", Installation.NAMESPACE, "patch", "configmap", "kmm-security", "--type=merge", "-p",
                "{\"data\":{\"allowedNamespaces\":\"" + NS + ", " + LONG_NS + "\"}}");

        // (the API server's policy informers take a moment to see the binding and the new parameters)
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(admission(module(OTHER, "refused")))
                .contains("Modules are not allowed in namespace " + OTHER));
        assertThat(admission(module(NS, "allowed"))).isEmpty();

        Module everywhere = module(NS, "everywhere");
        everywhere.getSpec().setTolerations(List.of(new io.fabric8.kubernetes.api.model.TolerationBuilder()
                .withOperator("Exists").build()));
        assertThat(admission(everywhere))
                .contains("a toleration without a key tolerates every taint");

        Module controlPlane = module(NS, "control-plane");
        controlPlane.getSpec().setTolerations(List.of(new io.fabric8.kubernetes.api.model.TolerationBuilder()
                .withKey("node-role.kubernetes.io/control-plane").withOperator("Exists").build()));
        assertThat(admission(controlPlane))
                .contains("KMM does not run loaders on control-plane nodes");

        Module etc = module(NS, "etc");
        etc.getSpec().setAdditionalVolumes(List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder()
                .withName("etc").withNewHostPath().withPath("/etc").endHostPath().build()));
        assertThat(admission(etc))
                .contains("a hostPath volume is outside the directories a module loader may mount");

        // the admin allows more in the same object: /etc/modprobe.d, and every namespace
        cluster.kubectlOk("-n", Installation.NAMESPACE, "patch", "configmap", "kmm-security", "--type=merge", "-p",
                "{\"data\":{\"allowedNamespaces\":\"*\",\"extraHostPaths\":\"/etc/modprobe.d\"}}");
        Module modprobeD = module(OTHER, "modprobe-d");
        modprobeD.getSpec().setAdditionalVolumes(List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder()
                .withName("conf").withNewHostPath().withPath("/etc/modprobe.d").endHostPath().build()));
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(admission(modprobeD)).isEmpty());
        cluster.kubectlOk("-n", Installation.NAMESPACE, "patch", "configmap", "kmm-security", "--type=merge", "-p",
                "{\"data\":{\"extraHostPaths\":\"\"}}");
    }
}
