package io.kmm.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Every {@code kmm.*} setting is in docs/configuration.md with its default, and every figure the other docs quote for a
 * setting's default ("137 s by default, {@code kmm.x}", "{@code kmm.x} (137 s)") is that default.
 */
class ConfigurationDocsTest {

    /** Every setting of the mapping, with its {@code @WithDefault} ({@code ${VAR:default}} read as its default). */
    static java.util.Map<String, java.util.Optional<String>> settings(Class<?> mapping, String prefix) {
        java.util.Map<String, java.util.Optional<String>> settings = new java.util.LinkedHashMap<>();
        for (Method m : mapping.getDeclaredMethods()) {
            if (m.isDefault() || java.lang.reflect.Modifier.isStatic(m.getModifiers()) || m.getParameterCount() > 0) {
                continue;
            }
            String key = prefix + "." + m.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
            Class<?> type = m.getReturnType();
            if (type.isInterface() && type.getEnclosingClass() == KmmConfig.class) {
                settings.putAll(settings(type, key));
            } else {
                io.smallrye.config.WithDefault d = m.getAnnotation(io.smallrye.config.WithDefault.class);
                settings.put(key, java.util.Optional.ofNullable(d)
                        .map(w -> w.value().replaceAll("^\\$\\{[A-Z_]+:(.*)}$", "$1")));
            }
        }
        return settings;
    }

    static List<String> keys(Class<?> mapping, String prefix) {
        return new ArrayList<>(settings(mapping, prefix).keySet());
    }

    static java.util.Map<String, String> defaults(Class<?> mapping, String prefix) {
        java.util.Map<String, String> defaults = new java.util.TreeMap<>();
        settings(mapping, prefix).forEach((k, v) -> v.ifPresent(d -> defaults.put(k, d)));
        return defaults;
    }

    @Test
    void documentedDefaultsAreTheDefaults() throws IOException {
        java.util.Map<String, String> defaults = defaults(KmmConfig.class, "kmm");
        assertThat(defaults).containsEntry("kmm.leader-election.lease-duration", "137s")
                .containsEntry("kmm.build.kaniko-image", "gcr.io/kaniko-project/executor:v1.23.2");
        String table = Files.readString(Path.of("docs/configuration.md"));
        defaults.forEach((key, value) -> assertThat(table).as("default of " + key + " in docs/configuration.md")
                .containsPattern("\\| `" + java.util.regex.Pattern.quote(key) + "` \\| `(?i:"
                        + java.util.regex.Pattern.quote(value) + ")` \\|"));

        // figures quoted elsewhere: "137 s by default, `kmm.x`" and "`kmm.x` (137 s)"
        java.util.regex.Pattern before = java.util.regex.Pattern.compile("(\\d+) s by default, `(kmm\\.[a-z.-]+)`");
        java.util.regex.Pattern after = java.util.regex.Pattern.compile("`(kmm\\.[a-z.-]+)`\\s+\\((\\d+) s\\)");
        int checked = 0;
        List<Path> docs;
        try (var files = Files.list(Path.of("docs"))) {
            docs = files.filter(p -> p.toString().endsWith(".md")).toList();
        }
        for (Path doc : docs) {
            String text = Files.readString(doc).replaceAll("\\s+", " ");
            for (var m = before.matcher(text); m.find(); checked++) {
                assertThat(m.group(1) + "s").as(doc + ": " + m.group()).isEqualTo(defaults.get(m.group(2)));
            }
            for (var m = after.matcher(text); m.find(); checked++) {
                assertThat(m.group(2) + "s").as(doc + ": " + m.group()).isEqualTo(defaults.get(m.group(1)));
            }
        }
        assertThat(checked).as("figures found in docs/ (install.md quotes the Lease duration)").isGreaterThanOrEqualTo(2);
    }

    @Test
    void everySettingIsDocumented() throws IOException {
        String doc = Files.readString(Path.of("docs/configuration.md"));
        List<String> keys = keys(KmmConfig.class, "kmm");
        assertThat(keys).contains("kmm.kernel-label-source", "kmm.build.kaniko-image", "kmm.leader-election.enabled");
        for (String key : keys) {
            assertThat(doc).as("docs/configuration.md documents " + key).containsPattern("\\| `" + key + "` \\| [^|]+ \\|");
        }
    }
}
