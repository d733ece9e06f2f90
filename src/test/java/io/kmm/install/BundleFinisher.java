package io.kmm.install;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/**
 * Adds {@code spec.relatedImages} to the CSV that quarkus-operator-sdk's bundle generator wrote (its 7.2 release has
 * no setting for them), the way operator-sdk does: every container image of the operator's Deployment, and every
 * {@code RELATED_IMAGE_<NAME>} environment variable of its containers (the Kaniko executor). Disconnected OLM
 * installs mirror exactly these images. Run by Maven in the package phase, after the Quarkus build.
 */
public final class BundleFinisher {

    static final String PREFIX = "RELATED_IMAGE_";

    public static void main(String[] args) throws Exception {
        Path csv = Path.of(args[0]);
        ObjectMapper yaml = mapper();
        ObjectNode root = (ObjectNode) yaml.readTree(csv.toFile());
        Map<String, String> images = relatedImages(root);
        ArrayNode related = ((ObjectNode) root.path("spec")).putArray("relatedImages");
        images.forEach((name, image) -> related.addObject().put("name", name).put("image", image));
        Files.writeString(csv, yaml.writeValueAsString(root));
    }

    static ObjectMapper mapper() {
        return new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    }

    static Map<String, String> relatedImages(JsonNode csv) {
        Map<String, String> images = new LinkedHashMap<>();
        for (JsonNode deployment : csv.path("spec").path("install").path("spec").path("deployments")) {
            for (JsonNode container : deployment.path("spec").path("template").path("spec").path("containers")) {
                images.put(container.path("name").asText(), container.path("image").asText());
                for (JsonNode env : container.path("env")) {
                    String name = env.path("name").asText();
                    if (name.startsWith(PREFIX) && env.hasNonNull("value")) {
                        images.put(name.substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-'),
                                env.path("value").asText());
                    }
                }
            }
        }
        return images;
    }
}
