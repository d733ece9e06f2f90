import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

/**
 * The part of the real native-image driver that the stand-in toolchain's driver (../shared/native-toolchain) lacks:
 * it passes the reachability metadata that jars carry under META-INF/native-image/ (reflect-config.json,
 * resource-config.json, ...; Quarkus writes its own registrations there) to the builder as
 * -H:...ConfigurationResources options, honouring --exclude-config. Without it the builder sees none of them and the
 * executable fails at start ("No ConfigProviderResolver implementation found!": no service files, no reflection).
 *
 * Run by graalvm-home/bin/native-image with the driver's arguments; prints one builder option per line.
 */
public class MetaInfConfig {

    private static final Map<String, String> OPTIONS = Map.of(
            "reflect-config.json", "ReflectionConfigurationResources",
            "resource-config.json", "ResourceConfigurationResources",
            "jni-config.json", "JNIConfigurationResources",
            "proxy-config.json", "DynamicProxyConfigurationResources",
            "serialization-config.json", "SerializationConfigurationResources",
            "predefined-classes-config.json", "PredefinedClassesConfigurationResources",
            "reachability-metadata.json", "ReachabilityMetadataResources");

    public static void main(String[] args) throws IOException {
        List<Path> classpath = new ArrayList<>();
        List<Pattern[]> excluded = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-jar" -> {
                    Path jar = Path.of(args[++i]).toAbsolutePath();
                    classpath.add(jar);
                    try (JarFile jf = new JarFile(jar.toFile())) {
                        String manifestPath = jf.getManifest() == null ? null
                                : jf.getManifest().getMainAttributes().getValue("Class-Path");
                        if (manifestPath != null) {
                            for (String entry : manifestPath.trim().split("\\s+")) {
                                classpath.add(jar.getParent().resolve(entry).normalize());
                            }
                        }
                    }
                }
                case "-cp", "-classpath", "--class-path" -> {
                    for (String entry : args[++i].split(java.io.File.pathSeparator)) {
                        classpath.add(Path.of(entry).toAbsolutePath());
                    }
                }
                case "--exclude-config" -> excluded.add(new Pattern[] { Pattern.compile(args[++i]),
                        Pattern.compile(args[++i]) });
                default -> {
                }
            }
        }
        Set<String> options = new LinkedHashSet<>();
        for (Path entry : classpath) {
            for (String resource : metadataFiles(entry)) {
                String option = OPTIONS.get(resource.substring(resource.lastIndexOf('/') + 1));
                boolean skip = excluded.stream().anyMatch(p -> p[0].matcher(entry.toString()).find()
                        && p[1].matcher("/" + resource).find());
                if (option != null && !skip) {
                    options.add("-H:" + option + "=" + resource);
                }
            }
        }
        if (!options.isEmpty()) {
            System.out.println("-H:+UnlockExperimentalVMOptions");
            options.forEach(System.out::println);
            System.out.println("-H:-UnlockExperimentalVMOptions");
        }
    }

    private static List<String> metadataFiles(Path entry) throws IOException {
        List<String> found = new ArrayList<>();
        if (Files.isDirectory(entry)) {
            Path base = entry.resolve("META-INF/native-image");
            if (Files.isDirectory(base)) {
                try (var files = Files.walk(base)) {
                    files.filter(Files::isRegularFile).map(p -> entry.relativize(p).toString().replace('\\', '/'))
                            .forEach(found::add);
                }
            }
        } else if (Files.isRegularFile(entry)) {
            try (JarFile jar = new JarFile(entry.toFile())) {
                jar.stream().map(e -> e.getName()).filter(n -> n.startsWith("META-INF/native-image/")
                        && !n.endsWith("/")).forEach(found::add);
            }
        }
        return found;
    }
}
