package io.kmm.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A registry a Module names is not trusted: one on 127.0.0.1 (started here) that answers slowly, hugely, with a
 * bearer challenge pointing at a metadata service, or redirects there; and registries at local or link-local
 * addresses, refused before anything is sent.
 */
class HostileRegistryTest {

    static HttpServer server;
    static String host;
    static final RegistryClientImageChecker ALLOWING_LOCAL = new RegistryClientImageChecker(Duration.ofSeconds(2),
            true);
    static final RegistryClientImageChecker DEFAULT = new RegistryClientImageChecker(Duration.ofSeconds(2));

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/v2/", HostileRegistryTest::answer);
        server.start();
        host = "127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    static void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        try {
            if (path.equals("/v2/")) {
                x.sendResponseHeaders(200, -1);
            } else if (path.contains("/slow/")) {
                Thread.sleep(30_000);
                x.sendResponseHeaders(200, -1);
            } else if (path.contains("/huge/")) {
                x.getResponseHeaders().add("Content-Type", "application/vnd.oci.image.manifest.v1+json");
                x.sendResponseHeaders(200, 0);
                try (OutputStream out = x.getResponseBody()) {
                    byte[] chunk = new byte[64 * 1024];
                    for (int i = 0; i < 1024; i++) { // 64 MiB, if anyone reads it
                        out.write(chunk);
                    }
                }
            } else if (path.contains("/trickle/")) {
                x.sendResponseHeaders(200, 0);
                try (OutputStream out = x.getResponseBody()) {
                    for (int i = 0; i < 300; i++) {
                        out.write(' ');
                        out.flush();
                        Thread.sleep(100);
                    }
                }
            } else if (path.contains("/metadata/")) {
                x.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
                x.sendResponseHeaders(307, -1);
            } else {
                byte[] body = "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"\\n\\u0000 forged\\n\"}]}"
                        .getBytes(StandardCharsets.UTF_8);
                x.sendResponseHeaders(404, body.length);
                x.getResponseBody().write(body);
            }
        } catch (InterruptedException | IOException e) {
            // the client went away
        } finally {
            x.close();
        }
    }

    @Test
    void aSlowRegistryEndsAtTheTimeout() {
        ImageCheck check = ALLOWING_LOCAL.check(host + "/slow/driver:1", Optional.empty(), true);
        assertThat(check.outcome()).isEqualTo(ImageCheck.Outcome.UNREACHABLE);
        assertThat(check.message()).contains("did not answer within 2s");
        ImageCheck trickle = ALLOWING_LOCAL.checkWithLabels(host + "/trickle/driver:1", Optional.empty(), true);
        assertThat(trickle.outcome()).isEqualTo(ImageCheck.Outcome.UNREACHABLE);
        assertThat(trickle.message()).contains("did not answer within 2s");
    }

    @Test
    void aHugeAnswerIsNotRead() {
        ImageCheck check = ALLOWING_LOCAL.checkWithLabels(host + "/huge/driver:1", Optional.empty(), true);
        assertThat(check.outcome()).isEqualTo(ImageCheck.Outcome.UNREACHABLE);
        assertThat(check.message()).contains("larger than 4096 KiB");
    }

    @Test
    void aRedirectToAMetadataServiceIsRefused() {
        // (local addresses allowed here: the test registry is on 127.0.0.1) the redirect's target is link-local
        ImageCheck check = ALLOWING_LOCAL.check(host + "/metadata/driver:1", Optional.empty(), true);
        assertThat(check.message()).contains("is at 169.254.169.254", "a link-local address", "never asks");
        assertThat(ALLOWING_LOCAL.check("169.254.169.254/latest:1", Optional.empty(), true).message())
                .contains("is at 169.254.169.254");
        // with the default, this machine's addresses are refused too, before anything is sent
        assertThat(DEFAULT.check(host + "/metadata/driver:1", Optional.empty(), true).message())
                .contains("is at 127.0.0.1", "kmm.registry.allow-local-addresses");
        assertThat(DEFAULT.check("localhost:5000/x:1", Optional.empty(), true).outcome())
                .isEqualTo(ImageCheck.Outcome.UNREACHABLE);
    }

    @Test
    void whatARegistrySaysIsCutAndEscapedInMessages() {
        ImageCheck check = ALLOWING_LOCAL.check(host + "/odd/driver:1", Optional.empty(), true);
        assertThat(check.outcome()).isEqualTo(ImageCheck.Outcome.ABSENT);
        assertThat(RegistryClientImageChecker.shown("a\nb\u0000" + "x".repeat(500))).doesNotContain("\n", "\u0000")
                .hasSizeLessThanOrEqualTo(RegistryClientImageChecker.MAX_QUOTED + 3);
    }
}
