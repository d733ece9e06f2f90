package io.kmm.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A registry that is not one: an HTTP server on 127.0.0.1 speaking just enough of the registry API ({@code /v2/}
 * answers 200) to lead a client on, then, by the repository's first path element:
 * <ul>
 * <li>{@code slow/}: answers nothing for 10 minutes;</li>
 * <li>{@code huge/}: a HEAD gets 405 (so a client asks with GET), a GET 64 MiB of manifest;</li>
 * <li>{@code trickle/}: a 200 whose body comes one byte every 100 ms;</li>
 * <li>{@code metadata/}: a redirect to a cloud metadata service (169.254.169.254);</li>
 * <li>anything else: a 404 whose error message holds a newline, a NUL and a forged line.</li>
 * </ul>
 */
public final class HostileRegistry implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    private HostileRegistry(HttpServer server) {
        this.server = server;
    }

    public static HostileRegistry start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        HostileRegistry r = new HostileRegistry(server);
        server.setExecutor(r.threads);
        server.createContext("/v2/", HostileRegistry::answer);
        server.start();
        return r;
    }

    /** {@code 127.0.0.1:PORT}, the registry host of an image reference. */
    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow(); // the sleeping answers
    }

    private static void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        try {
            if (path.equals("/v2/")) {
                x.sendResponseHeaders(200, -1);
            } else if (path.startsWith("/v2/slow/")) {
                Thread.sleep(600_000);
                x.sendResponseHeaders(200, -1);
            } else if (path.startsWith("/v2/huge/")) {
                if (x.getRequestMethod().equals("HEAD")) {
                    x.sendResponseHeaders(405, -1);
                    return;
                }
                x.getResponseHeaders().add("Content-Type", "application/vnd.oci.image.manifest.v1+json");
                x.sendResponseHeaders(200, 0);
                try (OutputStream out = x.getResponseBody()) {
                    byte[] chunk = new byte[64 * 1024];
                    for (int i = 0; i < 1024; i++) { // 64 MiB, if anyone reads it
                        out.write(chunk);
                    }
                }
            } else if (path.startsWith("/v2/trickle/")) {
                x.sendResponseHeaders(200, 0);
                try (OutputStream out = x.getResponseBody()) {
                    for (int i = 0; i < 3000; i++) {
                        out.write(' ');
                        out.flush();
                        Thread.sleep(100);
                    }
                }
            } else if (path.startsWith("/v2/metadata/")) {
                x.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
                x.sendResponseHeaders(307, -1);
            } else {
                byte[] body = "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"\\n\\u0000 forged\\n\"}]}"
                        .getBytes(StandardCharsets.UTF_8);
                x.sendResponseHeaders(404, body.length);
                x.getResponseBody().write(body);
            }
        } catch (InterruptedException | IOException e) {
            // the client went away, or the registry is closing
        } finally {
            x.close();
        }
    }
}
