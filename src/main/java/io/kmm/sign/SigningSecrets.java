package io.kmm.sign;

import java.util.Base64;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Reads a Module's signing key and certificate Secrets (one GET each, by name: no list, no watch, no cache) to check
 * them and fingerprint them. Their content never leaves this class: not in logs, events, status or build arguments.
 */
@ApplicationScoped
public class SigningSecrets {

    @Inject
    KubernetesClient client;

    /**
     * @param fingerprint of the key and certificate, when they can be used
     * @param problem why they cannot (missing Secret or entry, malformed content, key and certificate apart), or null
     */
    public record Keys(String fingerprint, String problem) {
    }

    public Keys read(String namespace, String keySecret, String certSecret) {
        String keyName = "Secret " + namespace + "/" + keySecret + " (sign.keySecret)";
        String certName = "Secret " + namespace + "/" + certSecret + " (sign.certSecret)";
        byte[] key;
        byte[] cert;
        try {
            key = entry(namespace, keySecret, SigningMaterial.KEY_ENTRY, keyName);
            cert = entry(namespace, certSecret, SigningMaterial.CERT_ENTRY, certName);
        } catch (Unusable e) {
            return new Keys(null, e.getMessage());
        }
        String problem = SigningMaterial.problem(key, cert, keyName, certName);
        return problem != null ? new Keys(null, problem) : new Keys(SigningMaterial.fingerprint(key, cert), null);
    }

    private byte[] entry(String namespace, String name, String entry, String what) throws Unusable {
        Secret secret;
        try {
            secret = client.secrets().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw new Unusable("cannot read " + what + ": the API server answered " + e.getCode());
        }
        if (secret == null) {
            throw new Unusable(what + " does not exist");
        }
        String data = secret.getData() == null ? null : secret.getData().get(entry);
        if (data == null && secret.getStringData() != null && secret.getStringData().get(entry) != null) {
            return secret.getStringData().get(entry).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        if (data == null || data.isEmpty()) {
            throw new Unusable(what + " has no '" + entry + "' entry (kubectl create secret generic " + name
                    + " --from-file=" + entry + "=FILE)");
        }
        try {
            return Base64.getDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw new Unusable("the '" + entry + "' entry of " + what + " is not base64");
        }
    }

    private static final class Unusable extends Exception {
        Unusable(String message) {
            super(message, null, false, false);
        }
    }
}
