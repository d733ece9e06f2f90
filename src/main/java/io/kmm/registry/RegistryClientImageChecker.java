package io.kmm.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;

/**
 * Asks a registry whether an image exists, over the OCI distribution API (token and basic authentication), and reads
 * its labels when asked. A Module chooses the registry, so nothing it answers is trusted: every answer is read up to a
 * size ({@link #MAX_MANIFEST}, {@link #MAX_CONFIG}, {@link #MAX_TOKEN}), the whole check ends at the configured
 * timeout (a registry that answers slowly or never holds no thread beyond it), the requests run on a bounded pool,
 * redirects are followed by hand, link-local addresses (cloud metadata services) are never asked and addresses of this
 * machine only when the admin allows them ({@code kmm.registry.allow-local-addresses}). What goes
 * into a status message is cut and escaped.
 */
public class RegistryClientImageChecker implements ImageChecker {

    static final int MAX_MANIFEST = 4 * 1024 * 1024;
    static final int MAX_CONFIG = 1024 * 1024;
    static final int MAX_TOKEN = 64 * 1024;
    /** Registry answers with an error: what of their text a message may quote. */
    static final int MAX_QUOTED = 200;
    private static final int MAX_REDIRECTS = 3;

    private static final Logger LOG = Logger.getLogger(RegistryClientImageChecker.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCEPT = String.join(",", "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json");
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /** At most this many requests in flight, and this many waiting: a flood of checks queues, then fails fast. */
    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(4, 8, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256), r -> {
                Thread t = new Thread(r, "kmm-registry-check");
                t.setDaemon(true);
                return t;
            });

    private final Duration timeout;
    private final boolean allowLocalAddresses;
    private final HttpClient verified;
    private final HttpClient unverified;

    /** A checker that refuses local and link-local addresses. */
    public RegistryClientImageChecker(Duration timeout) {
        this(timeout, false);
    }

    /**
     * @param timeout the longest one check may take, all requests together
     * @param allowLocalAddresses whether registries at addresses of this machine or link-local ones may be asked
     */
    public RegistryClientImageChecker(Duration timeout, boolean allowLocalAddresses) {
        this.timeout = timeout;
        this.allowLocalAddresses = allowLocalAddresses;
        this.verified = client(null);
        this.unverified = client(trustAll());
    }

    private static HttpClient client(SSLContext ssl) {
        HttpClient.Builder b = HttpClient.newBuilder().executor(POOL).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1);
        if (ssl != null) {
            b.sslContext(ssl);
        }
        return b.build();
    }

    @Override
    public ImageCheck check(String image, Optional<RegistryCredentials> credentials, boolean insecure) {
        return check(image, credentials, insecure, false);
    }

    @Override
    public ImageCheck checkWithLabels(String image, Optional<RegistryCredentials> credentials, boolean insecure) {
        return check(image, credentials, insecure, true);
    }

    private ImageCheck check(String image, Optional<RegistryCredentials> credentials, boolean insecure,
            boolean labels) {
        ImageReference ref;
        try {
            ref = ImageReference.parse(image);
        } catch (InvalidImageReferenceException e) {
            return new ImageCheck(ImageCheck.Outcome.INVALID_REFERENCE, "\"" + shown(image) + "\" is not a valid "
                    + "image reference");
        }
        Session session = new Session(ref, image, credentials, insecure, System.nanoTime() + timeout.toNanos());
        try {
            return session.run(labels);
        } catch (TimeoutException e) {
            return new ImageCheck(ImageCheck.Outcome.UNREACHABLE, "registry of " + image + " did not answer within "
                    + io.kmm.meta.Durations.text(timeout)
                    + (insecure ? "" : " (a plain-HTTP registry needs build.pull.insecure)"));
        } catch (Refused e) {
            return new ImageCheck(ImageCheck.Outcome.UNREACHABLE, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ImageCheck(ImageCheck.Outcome.UNREACHABLE, "registry check of " + image + " was interrupted");
        } catch (IOException | RuntimeException e) {
            return new ImageCheck(ImageCheck.Outcome.UNREACHABLE, "registry " + ref.getRegistry() + " cannot be "
                    + "reached" + (insecure ? "" : " over HTTPS (set build.pull.insecure for a plain-HTTP registry)")
                    + ": " + shown(e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }

    /** A check that cannot be made: a refused address, an answer too large. */
    static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    /** One check: the registry's scheme and authorization are found once, then used for its requests. */
    private final class Session {
        final ImageReference ref;
        final String image;
        final Optional<RegistryCredentials> credentials;
        final boolean insecure;
        long deadline;
        String scheme;
        String authorization;

        Session(ImageReference ref, String image, Optional<RegistryCredentials> credentials, boolean insecure,
                long deadline) {
            this.ref = ref;
            this.image = image;
            this.credentials = credentials;
            this.insecure = insecure;
            this.deadline = deadline;
        }

        String registryHost() {
            String r = ref.getRegistry();
            return "registry-1.docker.io".equals(r) || "docker.io".equals(r) ? "registry-1.docker.io" : r;
        }

        ImageCheck run(boolean labels) throws IOException, InterruptedException, TimeoutException {
            String registry = registryHost();
            allowed(URI.create("https://" + registry + "/"));
            // The API's root: tells the scheme (plain HTTP only for an insecure registry) and the authentication.
            HttpResponse<byte[]> ping = null;
            IOException https = null;
            long whole = deadline;
            if (insecure) {
                // a plain-HTTP server may not even answer a TLS handshake: a third of the time for HTTPS, at most 3 s
                deadline = Math.min(deadline, System.nanoTime() + Math.min((deadline - System.nanoTime()) / 3,
                        Duration.ofSeconds(3).toNanos()));
            }
            try {
                scheme = "https";
                ping = send(request("/v2/").GET(), 4096);
            } catch (Refused e) {
                throw e;
            } catch (IOException e) {
                https = e;
            } catch (TimeoutException e) {
                if (!insecure) {
                    throw e;
                }
                https = new IOException("no TLS answer");
            } finally {
                deadline = whole;
            }
            if (ping == null) {
                if (!insecure) {
                    throw https;
                }
                scheme = "http";
                ping = send(request("/v2/").GET(), 4096);
            }
            if (ping.statusCode() == 401) {
                authorize(ping);
            }
            String qualifier = ref.getQualifier();
            String manifestPath = "/v2/" + ref.getRepository() + "/manifests/" + qualifier;
            HttpResponse<byte[]> manifest = send(request(manifestPath).header("Accept", ACCEPT)
                    .method(labels ? "GET" : "HEAD", HttpRequest.BodyPublishers.noBody()), MAX_MANIFEST);
            int code = manifest.statusCode();
            if (code == 404) {
                return new ImageCheck(ImageCheck.Outcome.ABSENT, "image " + image + " does not exist in " + registry);
            }
            if (code == 401 || code == 403) {
                return new ImageCheck(ImageCheck.Outcome.UNAUTHORIZED, "registry " + registry + " refused "
                        + (credentials.isPresent() ? "the credentials of spec.imageRepoSecret" : "anonymous access "
                                + "(set spec.imageRepoSecret)") + " for " + ref.getRepository());
            }
            if (code == 405 && !labels) {
                // a registry without HEAD: ask with GET
                manifest = send(request(manifestPath).header("Accept", ACCEPT).GET(), MAX_MANIFEST);
                code = manifest.statusCode();
                if (code == 404) {
                    return new ImageCheck(ImageCheck.Outcome.ABSENT, "image " + image + " does not exist in "
                            + registry);
                }
            }
            if (code != 200) {
                return new ImageCheck(ImageCheck.Outcome.UNREACHABLE, "registry " + registry + " answered "
                        + code + " for " + image + ": " + shown(new String(manifest.body(), StandardCharsets.UTF_8)));
            }
            return new ImageCheck(ImageCheck.Outcome.PRESENT, "image " + image + " exists",
                    labels ? labels(manifest.body()) : null);
        }

        /** The labels of an image's configuration (a single-platform image, as Kaniko and OpenShift push). */
        Map<String, String> labels(byte[] manifestBody) throws IOException, InterruptedException, TimeoutException {
            JsonNode manifest = JSON.readTree(manifestBody);
            String digest = manifest.path("config").path("digest").asText(null);
            if (digest == null || !digest.matches("sha256:[0-9a-f]{64}")) {
                return Map.of(); // an image index: no single configuration to read
            }
            HttpResponse<byte[]> blob = send(request("/v2/" + ref.getRepository() + "/blobs/" + digest).GET(),
                    MAX_CONFIG);
            if (blob.statusCode() != 200) {
                throw new IOException("configuration blob " + digest + ": " + blob.statusCode());
            }
            Map<String, String> out = new TreeMap<>();
            JSON.readTree(blob.body()).path("config").path("Labels").fields()
                    .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        }

        /** A 401 from the API's root: a bearer token for the repository, or basic authentication. */
        void authorize(HttpResponse<byte[]> challenge) throws IOException, InterruptedException, TimeoutException {
            String header = challenge.headers().firstValue("WWW-Authenticate").orElse("");
            String basic = credentials.map(c -> "Basic " + Base64.getEncoder().encodeToString(
                    (c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8))).orElse(null);
            if (header.regionMatches(true, 0, "Basic", 0, 5)) {
                authorization = basic;
                return;
            }
            if (!header.regionMatches(true, 0, "Bearer", 0, 6)) {
                return;
            }
            Map<String, String> params = new LinkedHashMap<>();
            Matcher m = CHALLENGE_PARAM.matcher(header.length() > 2048 ? header.substring(0, 2048) : header);
            while (m.find()) {
                params.put(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2));
            }
            String realm = params.get("realm");
            if (realm == null) {
                return;
            }
            StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
            if (params.containsKey("service")) {
                url.append("service=").append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8))
                        .append('&');
            }
            url.append("scope=").append(URLEncoder.encode("repository:" + ref.getRepository() + ":pull",
                    StandardCharsets.UTF_8));
            URI uri = URI.create(url.toString());
            allowed(uri);
            HttpRequest.Builder token = HttpRequest.newBuilder(uri).GET().header("User-Agent", "kmm-operator");
            if (basic != null) {
                token.header("Authorization", basic);
            }
            HttpResponse<byte[]> answer = sendTo(token, MAX_TOKEN);
            if (answer.statusCode() == 401 || answer.statusCode() == 403) {
                return; // the manifest request says UNAUTHORIZED
            }
            JsonNode json = JSON.readTree(answer.body());
            String value = json.path("token").asText(json.path("access_token").asText(null));
            if (value != null && !value.isEmpty()) {
                authorization = "Bearer " + value;
            }
        }

        HttpRequest.Builder request(String path) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + "://" + registryHost() + path))
                    .header("User-Agent", "kmm-operator");
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            return b;
        }

        HttpResponse<byte[]> send(HttpRequest.Builder b, int limit)
                throws IOException, InterruptedException, TimeoutException {
            return sendTo(b, limit);
        }

        /** One request, redirects followed by hand (each target allowed), within the check's deadline. */
        HttpResponse<byte[]> sendTo(HttpRequest.Builder b, int limit)
                throws IOException, InterruptedException, TimeoutException {
            HttpRequest request = b.build();
            for (int hop = 0;; hop++) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException();
                }
                HttpClient client = insecure && "https".equals(request.uri().getScheme()) ? unverified : verified;
                CompletableFuture<HttpResponse<byte[]>> future;
                try {
                    future = client.sendAsync(HttpRequest.newBuilder(request, (n, v) -> true)
                            .timeout(Duration.ofNanos(left)).build(), bounded(limit));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    throw new Refused("too many registry checks at once; tried again later");
                }
                HttpResponse<byte[]> response;
                try {
                    response = future.get(left, TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    future.cancel(true);
                    throw e;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException(cause);
                }
                int code = response.statusCode();
                if (code < 300 || code >= 400 || code == 304 || hop >= MAX_REDIRECTS) {
                    return response;
                }
                URI target = request.uri().resolve(response.headers().firstValue("Location").orElseThrow(
                        () -> new IOException("redirect without a location")));
                allowed(target);
                // a redirect to another host (blob storage) gets no credentials
                HttpRequest.Builder next = HttpRequest.newBuilder(target).method(request.method(),
                        HttpRequest.BodyPublishers.noBody()).header("User-Agent", "kmm-operator");
                if (target.getHost().equalsIgnoreCase(request.uri().getHost())) {
                    request.headers().firstValue("Authorization").ifPresent(a -> next.header("Authorization", a));
                }
                request.headers().firstValue("Accept").ifPresent(a -> next.header("Accept", a));
                request = next.build();
            }
        }

        /** Refuses link-local addresses (metadata services) always, and this machine's unless allowed. */
        void allowed(URI uri) throws Refused {
            String host = uri.getHost();
            if (host == null) {
                throw new Refused("registry address " + shown(String.valueOf(uri)) + " has no host");
            }
            InetAddress[] addresses;
            try {
                addresses = InetAddress.getAllByName(host);
            } catch (UnknownHostException e) {
                return; // the request will say it cannot be reached
            }
            for (InetAddress a : addresses) {
                if (linkLocal(a)) {
                    throw new Refused("registry " + shown(host) + " of " + image + " is at " + a.getHostAddress()
                            + ", a link-local address (a cloud's metadata service), which KMM never asks");
                }
                if (!allowLocalAddresses && (a.isLoopbackAddress() || a.isAnyLocalAddress())) {
                    throw new Refused("registry " + shown(host) + " of " + image + " is at " + a.getHostAddress()
                            + ", an address of the operator's own machine, which KMM does not ask unless the admin "
                            + "allows it (kmm.registry.allow-local-addresses)");
                }
            }
        }
    }

    /** Link-local (169.254/16, fe80::/10: metadata services) and the IPv6 metadata address. */
    static boolean linkLocal(InetAddress a) {
        if (a.isLinkLocalAddress()) {
            return true;
        }
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            // fd00:ec2::254, the IPv6 address of a cloud metadata service
            return b[0] == (byte) 0xfd && b[1] == 0 && b[2] == (byte) 0x0e && b[3] == (byte) 0xc2;
        }
        return false;
    }

    /** A body read up to {@code limit} bytes: a larger one fails the request. */
    static HttpResponse.BodyHandler<byte[]> bounded(int limit) {
        return info -> HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofInputStream(), in -> {
            try (InputStream body = in) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] chunk = new byte[16 * 1024];
                int n;
                while ((n = body.read(chunk)) >= 0) {
                    if (out.size() + n > limit) {
                        throw new java.io.UncheckedIOException(new Refused("the registry's answer is larger than "
                                + limit / 1024 + " KiB"));
                    }
                    out.write(chunk, 0, n);
                }
                return out.toByteArray();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** Text a registry or a user wrote, fit for a status message: control characters escaped, cut. */
    static String shown(String text) {
        StringBuilder b = new StringBuilder();
        String s = text == null ? "" : text;
        for (int i = 0; i < s.length() && b.length() < MAX_QUOTED; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        return b.toString().strip() + (s.length() > MAX_QUOTED ? "..." : "");
    }

    private static SSLContext trustAll() {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[] { new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                    // an insecure registry (build.pull.insecure): its certificate is not checked
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    // an insecure registry (build.pull.insecure): its certificate is not checked
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            } }, new SecureRandom());
            return ssl;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static {
        LOG.debugf("registry checks: at most %d requests in flight", POOL.getMaximumPoolSize());
    }

    /** For tests: requests in flight and waiting. */
    static int[] poolLoad() {
        return new int[] { POOL.getActiveCount(), POOL.getQueue().size() };
    }
}
