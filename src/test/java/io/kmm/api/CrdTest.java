package io.kmm.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * The Module CRD: the copy users install (kubernetes/crd/) is the one generated from the Java classes, it documents
 * every KMM field, and the documented examples fit its schema. A @QuarkusTest so that the build step that generates
 * the CRD has run.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class CrdTest {

    static final Path GENERATED = Path.of("target/kubernetes/modules.ooto.sigs.k8s.io-v1.yml");
    static final Path COMMITTED = Path.of("kubernetes/crd/modules.ooto.sigs.k8s.io-v1.yml");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static JsonNode schema() throws Exception {
        return YAML.readTree(COMMITTED.toFile()).path("spec").path("versions").get(0).path("schema")
                .path("openAPIV3Schema");
    }

    @Test
    void committedCrdIsTheGeneratedOne() throws Exception {
        assertThat(Files.readString(COMMITTED))
                .as("kubernetes/crd/ is out of date; after changing the API classes run the tests once and copy %s "
                        + "to %s", GENERATED, COMMITTED)
                .isEqualTo(Files.readString(GENERATED));
    }

    @Test
    void committedPreflightCrdIsTheGeneratedOneClusterScopedWithItsColumns() throws Exception {
        Path generated = GENERATED.resolveSibling("preflightvalidations.ooto.sigs.k8s.io-v1.yml");
        Path committed = COMMITTED.resolveSibling("preflightvalidations.ooto.sigs.k8s.io-v1.yml");
        assertThat(Files.readString(committed)).as("kubernetes/crd/ is out of date; copy %s to %s", generated,
                committed).isEqualTo(Files.readString(generated));
        JsonNode crd = YAML.readTree(committed.toFile());
        assertThat(crd.path("spec").path("scope").asText()).isEqualTo("Cluster");
        assertThat(crd.path("metadata").path("annotations").has("api-approved.kubernetes.io")).isTrue();
        JsonNode version = crd.path("spec").path("versions").get(0);
        assertThat(version.path("subresources").has("status")).isTrue();
        List<String> columns = new ArrayList<>();
        version.path("additionalPrinterColumns").forEach(c -> columns.add(c.path("name").asText()));
        assertThat(columns).containsExactly("Passed", "Success", "Failure", "InProgress", "Age", "Reason");
    }

    @Test
    void crdNamesAndColumns() throws Exception {
        JsonNode crd = YAML.readTree(COMMITTED.toFile());
        assertThat(crd.path("spec").path("group").asText()).isEqualTo("ooto.sigs.k8s.io");
        assertThat(crd.path("spec").path("scope").asText()).isEqualTo("Namespaced");
        assertThat(crd.path("spec").path("names").path("shortNames").get(0).asText()).isEqualTo("mod");
        JsonNode version = crd.path("spec").path("versions").get(0);
        assertThat(version.path("name").asText()).isEqualTo("v1alpha1");
        assertThat(version.path("subresources").has("status")).isTrue();
        List<String> columns = new ArrayList<>();
        version.path("additionalPrinterColumns").forEach(c -> columns.add(c.path("name").asText()));
        // in the order a user reads them (kubectl get modules: NAME READY NODES AVAILABLE AGE REASON)
        assertThat(columns).containsExactly("Ready", "Nodes", "Available", "Age", "Reason");

        // the docs show the columns as kubectl does
        String header = "NAME " + String.join(" ", columns).toUpperCase(java.util.Locale.ROOT);
        assertThat(Files.readAllLines(Path.of("docs/module-api.md")).stream().map(l -> l.trim().replaceAll("\\s+", " ")))
                .as("docs/module-api.md shows kubectl get modules' header").contains(header);
        assertThat(Files.readString(Path.of("docs/troubleshooting.md")))
                .contains(String.join(", ", columns).toUpperCase(java.util.Locale.ROOT));
    }

    @Test
    void everyKmmFieldHasADescription() throws Exception {
        JsonNode properties = schema().path("properties");
        List<String> missing = new ArrayList<>();
        describe(properties.path("spec").path("properties"), "spec", missing);
        describe(properties.path("status").path("properties"), "status", missing);
        assertThat(missing).as("fields without a description").isEmpty();
    }

    /** Walks KMM's own objects; embedded Kubernetes types (Container, Volume, ...) are documented upstream. */
    private static void describe(JsonNode properties, String path, List<String> missing) {
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext();) {
            var field = it.next();
            String child = path + "." + field.getKey();
            if (!field.getValue().has("description")) {
                missing.add(child);
            }
            boolean embeddedKubernetesType = List.of("additionalVolumes", "devicePlugin", "moduleLoader",
                    "tolerations", "imageRepoSecret", "secrets", "conditions", "keySecret", "certSecret").contains(field.getKey());
            if (!embeddedKubernetesType) {
                JsonNode nested = field.getValue().has("items") ? field.getValue().path("items")
                        : field.getValue();
                describe(nested.path("properties"), child, missing);
            }
        }
    }

    @Test
    void documentedSampleFitsTheSchema() throws Exception {
        JsonNode sample = YAML.readTree(Path.of("docs/examples/module-sample.yaml").toFile());
        assertThat(CrdSchema.validate(sample, schema())).isEmpty();
    }

    @Test
    void embeddedClusterLoadsTheDocumentedSample() throws Exception {
        assertThat(Files.readString(Path.of("dev/cluster/20-module-sample.yaml")))
                .isEqualTo(Files.readString(Path.of("docs/examples/module-sample.yaml")));
    }

    @Test
    void designSampleWithAnUnquotedBooleanIsRejected() throws Exception {
        String design = Files.readString(Path.of("docs/examples/module-sample.yaml"))
                .replace("cpu-cpuid.VMX: \"true\"", "cpu-cpuid.VMX: true");
        assertThat(CrdSchema.validate(YAML.readTree(design), schema()))
                .containsExactly(".spec.selector.feature.node.kubernetes.io/cpu-cpuid.VMX in body must be of type string: "
                        + "\"boolean\"");
    }

    @Test
    void schemaRequiresALoaderAndAtLeastOneMapping() throws Exception {
        JsonNode empty = YAML.readTree("apiVersion: ooto.sigs.k8s.io/v1alpha1\nkind: Module\nmetadata: {name: x}\n"
                + "spec:\n  kernelMappings: []\n");
        assertThat(CrdSchema.validate(empty, schema())).contains(".spec.moduleLoader: Required value",
                ".spec.kernelMappings in body should have at least 1 items");
    }
}
