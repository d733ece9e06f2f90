package io.kmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kmm.registry.TestRegistry;
import io.kmm.status.Conditions;

/**
 * The optional in-cluster registry ({@code kubernetes/registry/}): applied with the real kubectl, admitted in its
 * restricted namespace by the real Pod Security admission (its pod is created and runs under kwok, its claim bound);
 * then the documented example Module, whose image names the registry by its node address ({@code localhost:30500}) is built: the operator
 * checks and Kaniko pushes through the service address, here a real registry on 127.0.0.1 started with the shipped
 * configuration file, and the loader runs the node address's image.
 */
class InClusterRegistryIT {

    static {
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    /** The example's own namespace (images built into the registry live under the Module's namespace). */
    private static final String NS = "kmm-examples";
    private static final String REGISTRY_NS = "kmm-registry";
    private static final String KERNEL = "6.1.0-incluster";
    private static final String MODULE = "in-cluster-build";
    private static final String REPOSITORY = "kmm-examples/kmm-ci-a";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static Scenario scenario;
    private static LocalCluster cluster;
    private static Kube kube;
    private static TestRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        registry = TestRegistry.fromConfig(Path.of("kubernetes/registry/config.yml"));
        registry.push("warm-up/jib", "v1"); // the first push of a JVM is slow; the one in the test must not be
        scenario = Scenario.begin(InClusterRegistryIT.class, NS);
        cluster = scenario.cluster;
        kube = scenario.kube;
        cluster.addNode("in-cluster-1", KERNEL, Map.of("node-role.kubernetes.io/worker", ""));
        scenario.startOperator(with(Installation.QUICK_LEASE,
                "kmm.registry.in-cluster.service-address", registry.host()));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            scenario.finish("in-cluster-1");
        } finally {
            cluster.kubectl("delete", "-k", "kubernetes/registry/", "--wait=false");
            cluster.admin().persistentVolumes().withName("kmm-registry-e2e").delete();
            registry.close();
        }
    }

    @Test
    void theComponentIsAdmittedWithRestrictedPodSecurity() throws Exception {
        // No provisioner here: a volume for the claim, as a storage class would provide.
        cluster.admin().persistentVolumes().resource(new PersistentVolumeBuilder().withNewMetadata()
                .withName("kmm-registry-e2e").endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
                .withCapacity(Map.of("storage", new Quantity("20Gi"))).withNewHostPath().withPath("/tmp/kmm-registry")
                .endHostPath().endSpec().build()).create();
        String applied = cluster.kubectlOk("apply", "-k", "kubernetes/registry/");
        assertThat(applied).contains("namespace/kmm-registry", "deployment.apps/kmm-registry",
                "service/kmm-registry", "persistentvolumeclaim/kmm-registry-data");
        assertThat(cluster.admin().namespaces().withName(REGISTRY_NS).get().getMetadata().getLabels())
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted");

        // The ReplicaSet controller's pod passes the namespace's restricted admission, is scheduled once the claim is
        // bound, and runs (kwok).
        await().atMost(TIMEOUT).untilAsserted(() -> {
            List<Pod> pods = cluster.admin().pods().inNamespace(REGISTRY_NS)
                    .withLabel("app.kubernetes.io/name", "kmm-registry").list().getItems();
            assertThat(pods).singleElement().satisfies(p -> assertThat(Kube.ready(p)).isTrue());
        });
        Deployment deployment = cluster.admin().apps().deployments().inNamespace(REGISTRY_NS).withName("kmm-registry")
                .get();
        assertThat(deployment.getStatus().getAvailableReplicas()).isEqualTo(1);
        assertThat(cluster.admin().services().inNamespace(REGISTRY_NS).withName("kmm-registry").get().getSpec()
                .getPorts().get(0).getNodePort()).isEqualTo(30500);
        // What a pod that breaks the namespace's policy gets: the API server refuses it.
        LocalCluster.Result privileged = cluster.kubectlWithInput("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: not-restricted
                  namespace: kmm-registry
                spec:
                  containers:
                    - name: c
                      image: docker.io/library/registry:2.8.3
                """, "apply", "--dry-run=server", "-f", "-");
        assertThat(privileged.code()).isNotZero();
        assertThat(privileged.stderr()).contains("violates PodSecurity \"restricted:latest\"");
    }

    @Test
    void aModuleIsBuiltIntoTheRegistryAndPulledByItsNodeAddress() throws Exception {
        // The documented example, as a user applies it.
        cluster.kubectlOk("apply", "-f", "docs/examples/module-in-cluster-build.yaml");

        await().atMost(TIMEOUT).until(() -> jobs().size() == 1);
        Job job = jobs().get(0);
        List<String> args = job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
        String pushed = registry.host() + "/" + REPOSITORY + ":" + KERNEL;
        assertThat(args).contains("--destination=" + pushed, "--insecure-registry=" + registry.host(),
                "--registry-map=localhost:30500=" + registry.host())
                .noneMatch(a -> a.equals("--insecure") || a.startsWith("--destination=localhost"));
        // The registry was asked through the service address and answered "absent": building, not degraded.
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(kube.condition(NS, MODULE,
                Conditions.PROGRESSING).orElseThrow().getReason()).isEqualTo("Building"));
        assertThat(kube.conditionStatus(NS, MODULE, Conditions.DEGRADED)).isEqualTo("False");

        await().atMost(TIMEOUT).until(() -> kube.jobPodReady(job));
        registry.push(REPOSITORY, KERNEL); // what Kaniko does before its pod exits

        await().atMost(TIMEOUT).until(() -> "True".equals(kube.conditionStatus(NS, MODULE, Conditions.READY)));
        assertThat(kube.loaders(NS, MODULE)).singleElement().satisfies(ds -> assertThat(
                ds.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("localhost:30500/" + REPOSITORY + ":" + KERNEL));
        assertThat(kube.module(NS, MODULE).getStatus().getKernels().get(0).getBuild().getPhase())
                .isEqualTo("Succeeded");
    }

    private static List<Job> jobs() {
        return kube.buildJobs(NS, MODULE, "build");
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> all = new java.util.LinkedHashMap<>(base);
        all.put(key, value);
        return all;
    }
}
