package io.kmm.registry;

import java.io.IOException;
import java.util.Optional;

import org.jboss.logging.Logger;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.event.EventHandlers;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.registry.RegistryClient;

/**
 * Checks image existence over the OCI distribution API with jib-core's registry client, which does the bearer-token
 * and basic-auth handshakes. With {@code insecure}, plain HTTP and unverified TLS are allowed.
 */
public class RegistryClientImageChecker implements ImageChecker {

    private static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors
            .newCachedThreadPool(r -> {
                Thread t = new Thread(r, "kmm-registry-check");
                t.setDaemon(true);
                return t;
            });

    private final java.time.Duration timeout;

    /** @param timeout the longest one check may take; the HTTP client's own retries can take much longer */
    public RegistryClientImageChecker(java.time.Duration timeout) {
        this.timeout = timeout;
    }

    private static final Logger LOG = Logger.getLogger(RegistryClientImageChecker.class);

    static {
        // jib-core reads its HTTP timeout (connect and read, milliseconds) from this property; its default of 20 s
        // would hold a reconcile thread far too long for an unreachable registry.
        if (System.getProperty("jib.httpTimeout") == null) {
            System.setProperty("jib.httpTimeout", "5000");
        }
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
        var future = POOL.submit(() -> checkNow(image, credentials, insecure, labels));
        try {
            return future.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            future.cancel(true);
            return new ImageCheck(ImageCheck.Outcome.UNREACHABLE, "registry of " + image + " did not answer within "
                    + timeout.toSeconds() + "s" + (insecure ? "" : " (a plain-HTTP registry needs build.pull.insecure)"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            return new ImageCheck(ImageCheck.Outcome.UNREACHABLE, "registry check of " + image + " was interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            return new ImageCheck(ImageCheck.Outcome.UNREACHABLE, "registry check of " + image + " failed: "
                    + e.getCause());
        }
    }

    ImageCheck checkNow(String image, Optional<RegistryCredentials> credentials, boolean insecure) {
        return checkNow(image, credentials, insecure, false);
    }

    ImageCheck checkNow(String image, Optional<RegistryCredentials> credentials, boolean insecure, boolean labels) {
        ImageReference ref;
        try {
            ref = ImageReference.parse(image);
        } catch (InvalidImageReferenceException e) {
            return new ImageCheck(ImageCheck.Outcome.INVALID_REFERENCE, "\"" + image + "\" is not a valid image reference");
        }
        String registry = ref.getRegistry();
        FailoverHttpClient http = new FailoverHttpClient(insecure, insecure, event -> LOG.debugf("registry %s: %s",
                registry, event.getMessage()));
        try {
            RegistryClient.Factory factory = RegistryClient.factory(EventHandlers.NONE, registry, ref.getRepository(),
                    http).setUserAgent("kmm-operator");
            credentials.ifPresent(c -> factory.setCredential(Credential.from(c.username(), c.password())));
            RegistryClient client = factory.newRegistryClient();
            if (!client.doPullBearerAuth() && credentials.isPresent()) {
                client.configureBasicAuth();
            }
            String tagOrDigest = ref.getQualifier();
            boolean exists = client.checkManifest(tagOrDigest).isPresent();
            if (!exists) {
                return new ImageCheck(ImageCheck.Outcome.ABSENT, "image " + image + " does not exist in " + registry);
            }
            return new ImageCheck(ImageCheck.Outcome.PRESENT, "image " + image + " exists",
                    labels ? labels(client, tagOrDigest) : null);
        } catch (com.google.cloud.tools.jib.api.InsecureRegistryException e) {
            return new ImageCheck(ImageCheck.Outcome.UNREACHABLE, "registry " + registry + " cannot be reached over "
                    + "verified HTTPS (set build.pull.insecure for a plain-HTTP or self-signed registry)");
        } catch (RegistryUnauthorizedException e) {
            return new ImageCheck(ImageCheck.Outcome.UNAUTHORIZED, "registry " + registry + " refused "
                    + (credentials.isPresent() ? "the credentials of spec.imageRepoSecret" : "anonymous access (set "
                            + "spec.imageRepoSecret)") + " for " + ref.getRepository());
        } catch (RegistryException e) {
            String text = String.valueOf(e.getMessage());
            if (text.contains("NAME_UNKNOWN") || text.contains("MANIFEST_UNKNOWN") || text.contains("404")) {
                return new ImageCheck(ImageCheck.Outcome.ABSENT, "image " + image + " does not exist in " + registry);
            }
            return new ImageCheck(ImageCheck.Outcome.UNREACHABLE, "registry " + registry + " answered with an error for "
                    + image + ": " + firstLine(text));
        } catch (IOException | RuntimeException e) {
            return new ImageCheck(ImageCheck.Outcome.UNREACHABLE, "registry " + registry + " cannot be reached"
                    + (insecure ? "" : " over HTTPS (set build.pull.insecure for a plain-HTTP registry)") + ": "
                    + firstLine(e.getClass().getSimpleName() + ": " + e.getMessage()));
        } finally {
            try {
                http.shutDown();
            } catch (IOException e) {
                LOG.debugf("closing registry client for %s: %s", registry, e.getMessage());
            }
        }
    }

    /** The labels of an image's configuration (a single-platform image, as Kaniko and OpenShift push). */
    private static java.util.Map<String, String> labels(RegistryClient client, String tagOrDigest)
            throws IOException, RegistryException {
        var manifest = client.pullManifest(tagOrDigest).getManifest();
        if (!(manifest instanceof com.google.cloud.tools.jib.image.json.BuildableManifestTemplate buildable)
                || buildable.getContainerConfiguration() == null
                || buildable.getContainerConfiguration().getDigest() == null) {
            return java.util.Map.of(); // an image index: no single configuration to read
        }
        java.io.ByteArrayOutputStream config = new java.io.ByteArrayOutputStream();
        client.pullBlob(buildable.getContainerConfiguration().getDigest(), size -> { }, size -> { }).writeTo(config);
        var labels = new com.fasterxml.jackson.databind.ObjectMapper().readTree(config.toByteArray()).path("config")
                .path("Labels");
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        labels.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
