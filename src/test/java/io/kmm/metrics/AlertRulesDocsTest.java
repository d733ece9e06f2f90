package io.kmm.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** The alert rules shipped in kubernetes/monitoring/ are the ones docs/metrics.md lists, with the same expressions. */
class AlertRulesDocsTest {

    @Test
    void everyShippedAlertIsDocumentedAsItIs() throws Exception {
        JsonNode rules = new YAMLMapper().readTree(Path.of("kubernetes/monitoring/prometheusrule.yaml").toFile());
        Map<String, String> shipped = new LinkedHashMap<>();
        for (JsonNode group : rules.path("spec").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                shipped.put(rule.path("alert").asText(), rule.path("expr").asText().strip());
            }
        }
        Map<String, String> documented = new LinkedHashMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `(Kmm[A-Za-z]+)` \\| `([^`]+)` \\|").matcher(
                Files.readString(Path.of("docs/metrics.md")));
        while (row.find()) {
            documented.put(row.group(1), row.group(2).strip());
        }
        assertThat(shipped).isNotEmpty().isEqualTo(documented);
    }
}
