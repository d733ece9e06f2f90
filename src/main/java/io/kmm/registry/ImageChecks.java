package io.kmm.registry;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kmm.config.KmmConfig;

/**
 * "Does this image exist?" for a Module, with the Module's imageRepoSecret, answers cached for
 * {@code kmm.registry.cache-ttl}. Secrets are read with a single GET when needed (no list or watch).
 */
@ApplicationScoped
public class ImageChecks {

    @Inject
    KmmConfig config;

    @Inject
    KubernetesClient client;

    @Inject
    jakarta.enterprise.event.Event<RegistryCheckFailed> failures;

    private volatile ImageChecker checker;
    private volatile InClusterRegistry inCluster;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(ImageCheck check, Instant expires) {
    }

    /** namespace/name of Secrets asked about: whether they were missing, and until when that answer holds. */
    private final Map<String, Missing> secrets = new ConcurrentHashMap<>();

    private record Missing(boolean missing, Instant expires) {
    }

    /**
     * Whether a Module's imageRepoSecret does not exist (one GET, the answer reused for {@code kmm.registry.cache-ttl}).
     * A Secret that cannot be read (e.g. forbidden) is not called missing.
     */
    public boolean secretMissing(String namespace, String name) {
        String key = namespace + "/" + name;
        Instant now = Instant.now();
        Missing known = secrets.get(key);
        if (known != null && now.isBefore(known.expires())) {
            return known.missing();
        }
        boolean missing;
        try {
            missing = client.secrets().inNamespace(namespace).withName(name).get() == null;
        } catch (KubernetesClientException e) {
            missing = false;
        }
        secrets.put(key, new Missing(missing, now.plus(config.registry().cacheTtl())));
        if (secrets.size() > 1024) {
            secrets.values().removeIf(m -> now.isAfter(m.expires()));
        }
        return missing;
    }

    @PostConstruct
    void init() {
        checker = new RegistryClientImageChecker(config.registry().timeout(), config.registry().allowLocalAddresses());
        inCluster = InClusterRegistry.of(config.registry().inCluster());
    }

    /** @param secretName the Module's imageRepoSecret, or null */
    public ImageCheck check(String namespace, String image, String secretName, boolean insecure) {
        return check(namespace, image, secretName, insecure, false);
    }

    /** @param labels with the image's labels when it exists (for signed images) */
    public ImageCheck check(String namespace, String image, String secretName, boolean insecure, boolean labels) {
        String key = namespace + "|" + image + "|" + secretName + "|" + insecure + "|" + labels;
        Cached cached = cache.get(key);
        if (cached != null && Instant.now().isBefore(cached.expires())) {
            return cached.check();
        }
        ImageCheck check = checkNow(namespace, image, secretName, insecure, labels);
        if (check.isFailure()) {
            failures.fire(new RegistryCheckFailed(check.outcome()));
        }
        Instant now = Instant.now();
        cache.put(key, new Cached(check, now.plus(config.registry().cacheTtl())));
        if (cache.size() > 256) {
            // answers about images no Module asks for any more (deleted Modules, old kernels) go once they expire
            cache.values().removeIf(c -> now.isAfter(c.expires()));
        }
        return check;
    }

    /**
     * Replaces the registry client, for dev mode's embedded API server (whose images live nowhere). Production
     * never calls this.
     */
    public void useChecker(ImageChecker replacement) {
        checker = replacement;
        cache.clear();
    }

    /** Forgets what is known about an image (e.g. after a build pushed it). */
    public void forget(String image) {
        cache.keySet().removeIf(k -> k.contains("|" + image + "|"));
    }

    /**
     * Asks the registry that serves the image: an image of the in-cluster registry's node address is asked at its
     * service address (with its TLS setting), every other one where its reference says.
     */
    private ImageCheck checkNow(String namespace, String image, String secretName, boolean insecure, boolean labels) {
        InClusterRegistry registry = inCluster;
        if (registry == null || !registry.names(image)) {
            return checkAt(namespace, image, image, secretName, insecure, labels);
        }
        ImageCheck check = checkAt(namespace, image, registry.forPods(image), secretName,
                insecure || registry.insecure(), labels);
        if (check.outcome() == ImageCheck.Outcome.UNREACHABLE) {
            return new ImageCheck(check.outcome(), check.message() + " (the in-cluster registry " + registry.nodeAddress()
                    + " is reached at " + registry.serviceAddress() + ", kmm.registry.in-cluster.service-address: is "
                    + "kubernetes/registry/ installed?)");
        }
        return check;
    }

    /**
     * @param image the reference the Module names (its registry host finds the credentials)
     * @param target the reference asked
     */
    private ImageCheck checkAt(String namespace, String image, String target, String secretName, boolean insecure,
            boolean labels) {
        Optional<RegistryCredentials> credentials = Optional.empty();
        if (secretName != null) {
            Secret secret;
            try {
                secret = client.secrets().inNamespace(namespace).withName(secretName).get();
            } catch (KubernetesClientException e) {
                return new ImageCheck(ImageCheck.Outcome.UNAUTHORIZED, "cannot read Secret " + namespace + "/"
                        + secretName + " (spec.imageRepoSecret): HTTP " + e.getCode());
            }
            if (secret == null) {
                return new ImageCheck(ImageCheck.Outcome.UNAUTHORIZED, "Secret " + namespace + "/" + secretName
                        + " (spec.imageRepoSecret) does not exist");
            }
            String data = secret.getData() == null ? null : secret.getData().get(".dockerconfigjson");
            if (data == null) {
                return new ImageCheck(ImageCheck.Outcome.UNAUTHORIZED, "Secret " + namespace + "/" + secretName
                        + " (spec.imageRepoSecret) has no .dockerconfigjson key: it must be of type "
                        + "kubernetes.io/dockerconfigjson");
            }
            try {
                String json = new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
                String registry = com.google.cloud.tools.jib.api.ImageReference.parse(image).getRegistry();
                credentials = RegistryCredentials.find(json, registry);
                if (credentials.isEmpty() && !target.equals(image)) {
                    credentials = RegistryCredentials.find(json,
                            com.google.cloud.tools.jib.api.ImageReference.parse(target).getRegistry());
                }
            } catch (IllegalArgumentException e) {
                return new ImageCheck(ImageCheck.Outcome.UNAUTHORIZED, "Secret " + namespace + "/" + secretName
                        + " (spec.imageRepoSecret) is malformed: " + e.getMessage());
            } catch (com.google.cloud.tools.jib.api.InvalidImageReferenceException e) {
                return new ImageCheck(ImageCheck.Outcome.INVALID_REFERENCE, "\"" + image
                        + "\" is not a valid image reference");
            }
        }
        return labels ? checker.checkWithLabels(target, credentials, insecure)
                : checker.check(target, credentials, insecure);
    }
}
