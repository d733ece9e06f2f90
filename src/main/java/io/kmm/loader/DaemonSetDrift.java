package io.kmm.loader;

import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.meta.Labels;

/**
 * Decides whether an existing DaemonSet must be updated to its desired content. Updating a loader DaemonSet
 * restarts its pods, which unloads and reloads the module, so this must say "no" to everything the API server
 * adds by itself (defaults, status, managed fields) and "yes" only when KMM's desired content changed (a different
 * desired hash) or someone changed a field KMM sets (the desired spec is no longer contained in the actual one).
 */
public final class DaemonSetDrift {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DaemonSetDrift() {
    }

    /**
     * The answers for DaemonSets as the API server stored them (uid and resourceVersion) against desired content (its
     * hash covers labels, annotations and spec): every Module reconcile asks again for every DaemonSet, and the same
     * pair always has the same answer. Bounded: emptied when full.
     */
    private static final Map<String, Boolean> ANSWERS = new java.util.concurrent.ConcurrentHashMap<>();
    static final int MAX_ANSWERS = 4096;

    /** True when {@code actual} already holds everything {@code desired} asks for. */
    public static boolean upToDate(DaemonSet desired, DaemonSet actual) {
        Map<String, String> actualAnnotations = actual.getMetadata().getAnnotations();
        String actualHash = actualAnnotations == null ? null : actualAnnotations.get(Labels.DESIRED_HASH_ANNOTATION);
        String desiredHash = desired.getMetadata().getAnnotations().get(Labels.DESIRED_HASH_ANNOTATION);
        if (!Objects.equals(desiredHash, actualHash)) {
            return false;
        }
        String uid = actual.getMetadata().getUid();
        String version = actual.getMetadata().getResourceVersion();
        if (uid == null || version == null || desiredHash == null) {
            return compare(desired, actual);
        }
        String key = uid + "/" + version + "/" + desiredHash;
        Boolean known = ANSWERS.get(key);
        if (known == null) {
            if (ANSWERS.size() >= MAX_ANSWERS) {
                ANSWERS.clear();
            }
            known = compare(desired, actual);
            ANSWERS.put(key, known);
        }
        return known;
    }

    private static boolean compare(DaemonSet desired, DaemonSet actual) {
        return containsEntries(actual.getMetadata().getLabels(), desired.getMetadata().getLabels())
                && containsEntries(actual.getMetadata().getAnnotations(), desired.getMetadata().getAnnotations())
                && contains(MAPPER.valueToTree(actual.getSpec()), MAPPER.valueToTree(desired.getSpec()));
    }

    private static boolean containsEntries(Map<String, String> actual, Map<String, String> desired) {
        if (desired == null || desired.isEmpty()) {
            return true;
        }
        return actual != null && desired.entrySet().stream()
                .allMatch(e -> Objects.equals(actual.get(e.getKey()), e.getValue()));
    }

    /**
     * Whether every field of {@code desired} is present in {@code actual} with an equal value. Objects may have
     * extra fields in {@code actual} (defaults); arrays must have the same length and match element by element.
     */
    static boolean contains(JsonNode actual, JsonNode desired) {
        if (desired == null || desired.isNull()) {
            return true;
        }
        if (actual == null || actual.isNull()) {
            return desired.isObject() && desired.isEmpty() || desired.isArray() && desired.isEmpty();
        }
        if (desired.isObject()) {
            if (!actual.isObject()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = desired.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!contains(actual.get(field.getKey()), field.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (desired.isArray()) {
            if (!actual.isArray() || actual.size() != desired.size()) {
                return false;
            }
            for (int i = 0; i < desired.size(); i++) {
                if (!contains(actual.get(i), desired.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return scalarEquals(actual, desired);
    }

    private static boolean scalarEquals(JsonNode actual, JsonNode desired) {
        if (actual.equals(desired) || actual.asText().equals(desired.asText())) {
            return true;
        }
        // The API server canonicalises quantities ("1000m" comes back as "1"): compare their values.
        if (actual.isTextual() && desired.isTextual()) {
            try {
                return Quantity.getAmountInBytes(new Quantity(actual.asText()))
                        .compareTo(Quantity.getAmountInBytes(new Quantity(desired.asText()))) == 0;
            } catch (IllegalArgumentException | ArithmeticException e) {
                return false;
            }
        }
        return false;
    }
}
