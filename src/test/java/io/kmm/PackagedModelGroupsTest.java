package io.kmm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The fabric8 model artifacts that pom.xml leaves out of the application (exclusions on kubernetes-client-api and
 * openshift-model, for a smaller native executable) hold no class the operator's code refers to: every model class
 * named in a compiled class of {@code target/classes} resolves, and comes from an artifact that is packaged. A direct
 * use of a left-out group already fails to compile (the exclusions apply to every class path); this test names the
 * classes and the artifact, and also fails if a left-out artifact comes back on the class path by another route.
 */
class PackagedModelGroupsTest {

    private static final Pattern MODEL_CLASS = Pattern.compile("io/fabric8/(?:kubernetes|openshift)/api/model/[A-Za-z0-9_/$]+");
    private static final Pattern EXCLUSION = Pattern.compile(
            "<exclusion>\\s*<groupId>io\\.fabric8</groupId>\\s*<artifactId>([a-z0-9-]+)</artifactId>\\s*</exclusion>");

    static Set<String> excludedArtifacts() throws IOException {
        Set<String> excluded = new TreeSet<>();
        Matcher m = EXCLUSION.matcher(Files.readString(Path.of("pom.xml")));
        while (m.find()) {
            excluded.add(m.group(1));
        }
        return excluded;
    }

    /** Model classes named in the constant pools of the operator's compiled classes (internal names). */
    static Set<String> referencedModelClasses() throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> classes = Files.walk(Path.of("target", "classes"))) {
            for (Path c : classes.filter(p -> p.toString().endsWith(".class")).toList()) {
                // class names in a constant pool are modified UTF-8, ASCII for these packages
                Matcher m = MODEL_CLASS.matcher(new String(Files.readAllBytes(c), StandardCharsets.ISO_8859_1));
                while (m.find()) {
                    names.add(m.group());
                }
            }
        }
        return names;
    }

    @Test
    void theOperatorUsesNoModelClassFromAnArtifactItLeavesOut() throws Exception {
        Set<String> excluded = excludedArtifacts();
        assertThat(excluded).as("pom.xml's exclusions").contains("kubernetes-model-networking", "openshift-model-config");
        Set<String> referenced = referencedModelClasses();
        assertThat(referenced).as("model classes the operator's code names")
                .contains("io/fabric8/kubernetes/api/model/apps/DaemonSet", "io/fabric8/openshift/api/model/BuildConfig");

        TreeMap<String, Set<String>> byJar = new TreeMap<>();
        Set<String> missing = new TreeSet<>();
        for (String name : referenced) {
            Class<?> type;
            try {
                type = Class.forName(name.replace('/', '.'), false, getClass().getClassLoader());
            } catch (ClassNotFoundException e) {
                missing.add(name);
                continue;
            }
            CodeSource source = type.getProtectionDomain().getCodeSource();
            String jar = source == null ? "?" : Path.of(source.getLocation().toURI()).getFileName().toString();
            byJar.computeIfAbsent(jar, j -> new LinkedHashSet<>()).add(type.getName());
        }
        assertThat(missing).as("model classes the operator's code names that are not on the class path (left out by "
                + "pom.xml's exclusions?)").isEmpty();
        List<String> offending = byJar.entrySet().stream()
                .filter(e -> excluded.stream().anyMatch(a -> e.getKey().startsWith(a + "-")))
                .map(e -> e.getKey() + ": " + e.getValue()).toList();
        assertThat(offending).as("classes from artifacts pom.xml excludes from the application; remove the exclusion "
                + "(and say why in docs/performance.md) or do without them").isEmpty();
        assertThat(byJar.keySet()).as("the artifacts the operator's model classes come from")
                .anyMatch(j -> j.startsWith("kubernetes-model-apps-"))
                .anyMatch(j -> j.startsWith("openshift-model-"));
    }
}
