package io.kmm.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Every {@code kmm.*} setting is in docs/configuration.md with its default. */
class ConfigurationDocsTest {

    static List<String> keys(Class<?> mapping, String prefix) {
        List<String> keys = new ArrayList<>();
        for (Method m : mapping.getDeclaredMethods()) {
            if (m.isDefault() || java.lang.reflect.Modifier.isStatic(m.getModifiers()) || m.getParameterCount() > 0) {
                continue;
            }
            String key = prefix + "." + m.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
            Class<?> type = m.getReturnType();
            if (type.isInterface() && type.getEnclosingClass() == KmmConfig.class) {
                keys.addAll(keys(type, key));
            } else {
                keys.add(key);
            }
        }
        return keys;
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
