package io.kmm.registry;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.mindrot.jbcrypt.BCrypt;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;

/**
 * A real OCI registry (Debian's docker-registry, i.e. distribution 2.8) on 127.0.0.1 for tests, optionally with
 * htpasswd basic auth. When the binary is missing and the tests run as root (as on CI machines), it is installed
 * from Debian's packages; otherwise the test fails saying what to install.
 */
public final class TestRegistry implements AutoCloseable {

    public static final String BINARY = "/usr/bin/docker-registry";

    private final Process process;
    private final Path dir;
    private final int port;
    private final String user;
    private final String password;

    private TestRegistry(Process process, Path dir, int port, String user, String password) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    public static TestRegistry anonymous() throws Exception {
        return start(null, null);
    }

    public static TestRegistry withBasicAuth(String user, String password) throws Exception {
        return start(user, password);
    }

    private static synchronized void ensureInstalled() throws Exception {
        if (Files.isExecutable(Path.of(BINARY))) {
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("The registry tests need Debian's docker-registry package: "
                    + "apt-get install docker-registry");
        }
        run(List.of("apt-get", "update", "-q"));
        run(List.of("apt-get", "install", "-y", "-q", "docker-registry"));
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }

    /**
     * A registry started from a shipped configuration file (e.g. {@code kubernetes/registry/config.yml}), with only
     * its listen address (127.0.0.1) and storage directory overridden through the registry's environment variables.
     */
    public static TestRegistry fromConfig(Path config) throws Exception {
        ensureInstalled();
        Path dir = Files.createTempDirectory("kmm-registry");
        int port = freePort();
        Files.copy(config, dir.resolve("config.yml"));
        ProcessBuilder builder = new ProcessBuilder(BINARY, "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile());
        builder.environment().put("REGISTRY_HTTP_ADDR", "127.0.0.1:" + port);
        builder.environment().put("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", dir.resolve("data").toString());
        TestRegistry registry = new TestRegistry(builder.start(), dir, port, null, null);
        registry.awaitReady();
        return registry;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static TestRegistry start(String user, String password) throws Exception {
        ensureInstalled();
        Path dir = Files.createTempDirectory("kmm-registry");
        int port = freePort();
        StringBuilder config = new StringBuilder("""
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                """.formatted(dir.resolve("data"), port));
        if (user != null) {
            Files.writeString(dir.resolve("htpasswd"), user + ":" + BCrypt.hashpw(password, BCrypt.gensalt(5)) + "\n");
            config.append("""
                    auth:
                      htpasswd:
                        realm: kmm-test
                        path: %s
                    """.formatted(dir.resolve("htpasswd")));
        }
        Path configFile = dir.resolve("config.yml");
        Files.writeString(configFile, config);
        Process process = new ProcessBuilder(BINARY, "serve", configFile.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        TestRegistry registry = new TestRegistry(process, dir, port, user, password);
        registry.awaitReady();
        return registry;
    }

    private void awaitReady() throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://" + host() + "/v2/").toURL().openConnection();
                c.setConnectTimeout(500);
                int code = c.getResponseCode();
                if (code == 200 || code == 401) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("docker-registry did not start on " + host());
    }

    /** {@code 127.0.0.1:<port>} */
    public String host() {
        return "127.0.0.1:" + port;
    }

    /** Pushes a tiny one-layer image to {@code repository:tag}, through the registry API, with jib-core. */
    public String push(String repository, String tag) throws Exception {
        return push(repository, tag, java.util.Map.of());
    }

    /** The same, with image labels (e.g. what a signing build puts on the signed image). */
    public String push(String repository, String tag, java.util.Map<String, String> labels) throws Exception {
        String image = host() + "/" + repository + ":" + tag;
        Path file = Files.createTempFile(dir, "layer", ".txt");
        Files.writeString(file, "kmm test image " + repository + ":" + tag);
        System.setProperty("sendCredentialsOverHttp", "true"); // the test registry is plain HTTP on loopback
        RegistryImage target = RegistryImage.named(image);
        if (user != null) {
            target.addCredential(user, password);
        }
        var builder = Jib.fromScratch().addLayer(List.of(file), AbsoluteUnixPath.get("/"));
        labels.forEach(builder::addLabel);
        builder.containerize(Containerizer.to(target).setAllowInsecureRegistries(true));
        return image;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
