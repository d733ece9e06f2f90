package io.kmm.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kmm.api.CrdSchema;
import io.kmm.rbac.ShippedRoles;
import io.kmm.rbac.ShippedRoles.Grant;

/**
 * What the package phase generates, checked after it ran: the committed install manifests and OLM bundle are the
 * generated ones, the operator pod passes the restricted Pod Security Standard, and the CSV carries what OperatorHub
 * requires with the same permissions as the shipped roles.
 * <p>
 * After changing src/main/kubernetes/, the API classes or {@code OperatorBundle}, refresh the committed copies with
 * {@code ./mvnw verify -Dkmm.update-manifests} (the test copies instead of failing) and review the diff.
 */
class InstallManifestsIT {

    static final Path GENERATED_MANIFESTS = Path.of("target/kubernetes/kubernetes.yml");
    static final Path COMMITTED_MANIFESTS = Path.of("kubernetes/kmm-operator.yml");
    static final Path GENERATED_BUNDLE = Path.of("target/bundle/kmm-operator");
    static final Path COMMITTED_BUNDLE = Path.of("kubernetes/bundle");
    static final Path CSV = COMMITTED_BUNDLE.resolve("manifests/kmm-operator.clusterserviceversion.yaml");
    static final boolean UPDATE = System.getProperty("kmm.update-manifests") != null;
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void committedManifestsAreTheGeneratedOnes() throws IOException {
        sameContent(GENERATED_MANIFESTS, COMMITTED_MANIFESTS);
    }

    @Test
    void committedBundleIsTheGeneratedOne() throws IOException {
        List<Path> generated = files(GENERATED_BUNDLE);
        if (UPDATE && Files.isDirectory(COMMITTED_BUNDLE)) {
            for (Path stale : files(COMMITTED_BUNDLE)) {
                if (!generated.contains(stale)) {
                    Files.delete(COMMITTED_BUNDLE.resolve(stale));
                }
            }
        }
        for (Path file : generated) {
            sameContent(GENERATED_BUNDLE.resolve(file), COMMITTED_BUNDLE.resolve(file));
        }
        assertThat(files(COMMITTED_BUNDLE)).as("files in %s", COMMITTED_BUNDLE).isEqualTo(generated);
    }

    @Test
    void operatorPodPassesTheRestrictedPodSecurityStandard() throws IOException {
        Deployment deployment = objects(COMMITTED_MANIFESTS).stream().filter(Deployment.class::isInstance)
                .map(Deployment.class::cast).findFirst().orElseThrow();
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo("kmm-operator");
        assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostIPC()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getVolumes()).allSatisfy(v -> assertThat(v.getHostPath()).isNull());
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        for (Container c : pod.getContainers()) {
            var sc = c.getSecurityContext();
            assertThat(sc.getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
            assertThat(sc.getPrivileged()).as(c.getName()).isNotEqualTo(Boolean.TRUE);
            assertThat(sc.getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
            assertThat(sc.getRunAsNonRoot()).as(c.getName()).isTrue();
            assertThat(sc.getCapabilities().getDrop()).as(c.getName()).containsExactly("ALL");
            assertThat(sc.getCapabilities().getAdd()).as(c.getName()).isNullOrEmpty();
            assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits()).containsKeys("cpu", "memory");
            assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
            assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
            assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
        }
    }

    @Test
    void manifestsBindTheShippedRolesToTheOperatorsServiceAccount() throws IOException {
        List<HasMetadata> objects = objects(COMMITTED_MANIFESTS);
        assertThat(ShippedRoles.of(objects).grants()).isEqualTo(ShippedRoles.load().grants());
        assertThat(objects).filteredOn(ClusterRoleBinding.class::isInstance).singleElement()
                .satisfies(b -> assertThat(((ClusterRoleBinding) b).getSubjects()).singleElement()
                        .satisfies(s -> assertThat(s.getNamespace() + "/" + s.getName())
                                .isEqualTo("kmm-system/kmm-operator")));
        assertThat(objects).filteredOn(RoleBinding.class::isInstance).singleElement()
                .satisfies(b -> assertThat(b.getMetadata().getNamespace()).isEqualTo("kmm-system"));
        assertThat(objects).filteredOn(o -> !o.getKind().equals("Namespace") && !o.getKind().equals("ClusterRole")
                && !o.getKind().equals("ClusterRoleBinding"))
                .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).as(o.getKind()).isEqualTo("kmm-system"));
    }

    @Test
    void csvHasWhatOperatorHubRequires() throws Exception {
        JsonNode csv = YAML.readTree(CSV.toFile());
        JsonNode metadata = csv.path("metadata");
        JsonNode spec = csv.path("spec");
        assertThat(spec.path("displayName").asText()).isEqualTo("Kernel Module Management");
        assertThat(spec.path("description").asText()).contains("Module").hasSizeGreaterThan(200);
        assertThat(spec.path("icon").get(0).path("base64data").asText()).isNotEmpty();
        assertThat(spec.path("icon").get(0).path("mediatype").asText()).isEqualTo("image/svg+xml");
        assertThat(spec.path("maintainers")).isNotEmpty();
        assertThat(spec.path("provider").path("name").asText()).isNotEmpty();
        assertThat(spec.path("keywords")).isNotEmpty();
        assertThat(spec.path("version").asText()).isNotEmpty();
        assertThat(spec.path("minKubeVersion").asText()).isNotEmpty();
        assertThat(metadata.path("annotations").path("capabilities").asText()).isIn("Basic Install",
                "Seamless Upgrades", "Full Lifecycle", "Deep Insights", "Auto Pilot");
        assertThat(metadata.path("annotations").path("containerImage").asText())
                .isEqualTo(firstContainer(csv).path("image").asText());
        Map<String, Boolean> modes = new TreeMap<>();
        spec.path("installModes").forEach(m -> modes.put(m.path("type").asText(), m.path("supported").asBoolean()));
        assertThat(modes).containsEntry("AllNamespaces", true).hasSize(4);

        JsonNode owned = spec.path("customresourcedefinitions").path("owned");
        List<String> ownedNames = new java.util.ArrayList<>();
        owned.forEach(o -> {
            ownedNames.add(o.path("name").asText());
            assertThat(o.path("version").asText()).isEqualTo("v1alpha1");
        });
        assertThat(ownedNames).containsExactlyInAnyOrder("modules.ooto.sigs.k8s.io",
                "preflightvalidations.ooto.sigs.k8s.io");
        for (String crd : List.of("modules", "preflightvalidations")) {
            assertThat(COMMITTED_BUNDLE.resolve("manifests/" + crd + ".ooto.sigs.k8s.io-v1.crd.yml"))
                    .hasSameTextualContentAs(Path.of("kubernetes/crd/" + crd + ".ooto.sigs.k8s.io-v1.yml"));
        }

        // alm-examples: valid Modules by the CRD's schema
        JsonNode examples = new ObjectMapper().readTree(metadata.path("annotations").path("alm-examples").asText());
        assertThat(examples).isNotEmpty();
        JsonNode schema = YAML.readTree(Path.of("kubernetes/crd/modules.ooto.sigs.k8s.io-v1.yml").toFile())
                .path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
        for (JsonNode example : examples) {
            assertThat(example.path("kind").asText()).isEqualTo("Module");
            assertThat(CrdSchema.validate(example, schema)).as("alm-example problems").isEmpty();
        }

        // related images: the operator and the Kaniko executor (what KmmConfig uses by default)
        Map<String, String> related = new TreeMap<>();
        spec.path("relatedImages").forEach(i -> related.put(i.path("name").asText(), i.path("image").asText()));
        assertThat(related).containsEntry("kmm-operator", firstContainer(csv).path("image").asText())
                .containsEntry("kaniko", "gcr.io/kaniko-project/executor:v1.23.2");

        JsonNode annotations = YAML.readTree(COMMITTED_BUNDLE.resolve("metadata/annotations.yaml").toFile())
                .path("annotations");
        assertThat(annotations.path("operators.operatorframework.io.bundle.package.v1").asText())
                .isEqualTo("kmm-operator");
        assertThat(annotations.path("operators.operatorframework.io.bundle.channels.v1").asText()).isEqualTo("alpha");
        assertThat(COMMITTED_BUNDLE.resolve("bundle.Dockerfile")).content().contains("COPY manifests /manifests/");
    }

    @Test
    void csvPermissionsEqualTheShippedRoles() throws Exception {
        JsonNode install = YAML.readTree(CSV.toFile()).path("spec").path("install").path("spec");
        Set<Grant> fromCsv = new java.util.TreeSet<>();
        for (JsonNode p : install.path("clusterPermissions")) {
            assertThat(p.path("serviceAccountName").asText()).isEqualTo("kmm-operator");
            fromCsv.addAll(ShippedRoles.grants(rules(p), true));
        }
        for (JsonNode p : install.path("permissions")) {
            assertThat(p.path("serviceAccountName").asText()).isEqualTo("kmm-operator");
            fromCsv.addAll(ShippedRoles.grants(rules(p), false));
        }
        assertThat(fromCsv).isEqualTo(ShippedRoles.load().grants());
    }

    static List<PolicyRule> rules(JsonNode permission) throws IOException {
        List<PolicyRule> rules = new ArrayList<>();
        for (JsonNode r : permission.path("rules")) {
            rules.add(YAML.treeToValue(r, PolicyRule.class));
        }
        return rules;
    }

    static JsonNode firstContainer(JsonNode csv) {
        return csv.path("spec").path("install").path("spec").path("deployments").get(0).path("spec")
                .path("template").path("spec").path("containers").get(0);
    }

    static List<HasMetadata> objects(Path yaml) throws IOException {
        return ShippedRoles.read(yaml);
    }

    static List<Path> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }

    static void sameContent(Path generated, Path committed) throws IOException {
        assertThat(generated).as("run ./mvnw package first").exists();
        if (UPDATE) {
            Files.createDirectories(committed.toAbsolutePath().getParent());
            Files.copy(generated, committed, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(committed).as("%s is out of date: run ./mvnw verify -Dkmm.update-manifests and review the diff",
                committed).exists();
        String name = committed.getFileName().toString();
        if (name.endsWith(".yml") || name.endsWith(".yaml")) {
            // As YAML documents: the generators do not order the controllers' environment variables the same way
            // from one build to the next.
            assertThat(normalised(committed)).as("%s is out of date: run ./mvnw verify -Dkmm.update-manifests and "
                    + "review the diff", committed).isEqualTo(normalised(generated));
        } else {
            assertThat(Files.readString(committed)).as("%s is out of date: run ./mvnw verify -Dkmm.update-manifests "
                    + "and review the diff", committed).isEqualTo(Files.readString(generated));
        }
    }

    static List<JsonNode> normalised(Path yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode> readValues(yaml.toFile())) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isMissingNode() && !doc.isNull()) {
                    sortEnv(doc);
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    static void sortEnv(JsonNode node) {
        if (node.isObject()) {
            JsonNode env = node.get("env");
            if (env != null && env.isArray()) {
                List<JsonNode> vars = new ArrayList<>();
                env.forEach(vars::add);
                vars.sort(java.util.Comparator.comparing(v -> v.path("name").asText()));
                ((com.fasterxml.jackson.databind.node.ArrayNode) env).removeAll().addAll(vars);
            }
            node.forEach(InstallManifestsIT::sortEnv);
        } else if (node.isArray()) {
            node.forEach(InstallManifestsIT::sortEnv);
        }
    }

    @org.junit.jupiter.api.BeforeAll
    static void updateFirst() throws IOException {
        Serialization.jsonMapper(); // fabric8's deserializers registered before the first read
        if (UPDATE) { // copy before any test reads the committed files
            new InstallManifestsIT().committedManifestsAreTheGeneratedOnes();
            new InstallManifestsIT().committedBundleIsTheGeneratedOne();
        }
    }
}
