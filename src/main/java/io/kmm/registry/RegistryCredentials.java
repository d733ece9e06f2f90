package io.kmm.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Credentials for a registry from the content of a {@code kubernetes.io/dockerconfigjson} Secret. Pure. The values
 * are never logged nor put in messages: {@link #toString()} hides the password.
 */
public record RegistryCredentials(String username, String password) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public String toString() {
        return "RegistryCredentials[username=" + username + ", password=***]";
    }

    /**
     * @param dockerConfigJson the decoded {@code .dockerconfigjson} value
     * @param registry the registry host (and port) of an image reference, e.g. {@code quay.io}
     * @return the credentials for that registry, empty when the file has none for it
     * @throws IllegalArgumentException when the content is not a docker config (the message names no secret value)
     */
    public static Optional<RegistryCredentials> find(String dockerConfigJson, String registry) {
        JsonNode root;
        try {
            root = MAPPER.readTree(dockerConfigJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the .dockerconfigjson value is not valid JSON");
        }
        if (root == null || !root.path("auths").isObject()) {
            throw new IllegalArgumentException("the .dockerconfigjson value has no \"auths\" object");
        }
        String wanted = normalise(registry);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("auths").fields(); it.hasNext();) {
            var entry = it.next();
            if (normalise(entry.getKey()).equals(wanted)) {
                return Optional.of(credentials(entry.getValue(), entry.getKey()));
            }
        }
        return Optional.empty();
    }

    private static RegistryCredentials credentials(JsonNode auth, String registry) {
        if (auth.hasNonNull("username") && auth.hasNonNull("password")) {
            return new RegistryCredentials(auth.get("username").asText(), auth.get("password").asText());
        }
        if (auth.hasNonNull("auth")) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth.get("auth").asText()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the \"auth\" entry for " + registry + " is not base64");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("the \"auth\" entry for " + registry + " is not user:password");
            }
            return new RegistryCredentials(decoded.substring(0, colon), decoded.substring(colon + 1));
        }
        throw new IllegalArgumentException("the entry for " + registry + " has neither auth nor username/password");
    }

    /** {@code https://index.docker.io/v1/}, {@code docker.io} and {@code registry-1.docker.io} are one registry. */
    static String normalise(String registry) {
        String r = registry.toLowerCase(Locale.ROOT).replaceFirst("^[a-z]+://", "");
        int slash = r.indexOf('/');
        if (slash >= 0) {
            r = r.substring(0, slash);
        }
        return switch (r) {
            case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> "docker.io";
            default -> r;
        };
    }
}
