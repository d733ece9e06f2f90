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
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(ImageCheck check, Instant expires) {
    }

    @PostConstruct
    void init() {
        checker = new RegistryClientImageChecker(config.registry().timeout());
    }

    /** @param secretName the Module's imageRepoSecret, or null */
    public ImageCheck check(String namespace, String image, String secretName, boolean insecure) {
        String key = namespace + "|" + image + "|" + secretName + "|" + insecure;
        Cached cached = cache.get(key);
        if (cached != null && Instant.now().isBefore(cached.expires())) {
            return cached.check();
        }
        ImageCheck check = checkNow(namespace, image, secretName, insecure);
        if (check.isFailure()) {
            failures.fire(new RegistryCheckFailed(check.outcome()));
        }
        cache.put(key, new Cached(check, Instant.now().plus(config.registry().cacheTtl())));
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

    private ImageCheck checkNow(String namespace, String image, String secretName, boolean insecure) {
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
            } catch (IllegalArgumentException e) {
                return new ImageCheck(ImageCheck.Outcome.UNAUTHORIZED, "Secret " + namespace + "/" + secretName
                        + " (spec.imageRepoSecret) is malformed: " + e.getMessage());
            } catch (com.google.cloud.tools.jib.api.InvalidImageReferenceException e) {
                return new ImageCheck(ImageCheck.Outcome.INVALID_REFERENCE, "\"" + image
                        + "\" is not a valid image reference");
            }
        }
        return checker.check(image, credentials, insecure);
    }
}
