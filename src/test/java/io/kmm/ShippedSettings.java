package io.kmm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** What the operator image runs with, as application.properties declares it (Jib's entrypoint and environment). */
public final class ShippedSettings {

    private static final String ENV_PREFIX = "quarkus.jib.environment-variables.";

    private ShippedSettings() {
    }

    public static Properties applicationProperties() {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** {@code quarkus.jib.jvm-additional-arguments}: what the image's {@code java} command adds. */
    public static List<String> jvmOptions() {
        return List.of(applicationProperties().getProperty("quarkus.jib.jvm-additional-arguments", "").split(","));
    }

    /** {@code quarkus.jib.environment-variables.NAME}: the environment the image sets. */
    public static Map<String, String> environment() {
        Properties p = applicationProperties();
        Map<String, String> env = new TreeMap<>();
        p.stringPropertyNames().stream().filter(k -> k.startsWith(ENV_PREFIX))
                .forEach(k -> env.put(k.substring(ENV_PREFIX.length()).replace("\"", ""), p.getProperty(k)));
        return env;
    }
}
