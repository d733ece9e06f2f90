package io.kmm.loader;

import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.meta.LabelValues;
import io.kmm.meta.Labels;

/**
 * A hash of what KMM wants in a DaemonSet (labels, its own annotations, spec), stored as an annotation. When the
 * desired content changes, the hash changes; API-server defaults never touch it, so they cannot cause updates.
 */
public final class DesiredHash {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private DesiredHash() {
    }

    static DaemonSet stamp(DaemonSet desired) {
        desired.getMetadata().getAnnotations().put(Labels.DESIRED_HASH_ANNOTATION, of(desired));
        return desired;
    }

    /** The hash of {@code ds} without its hash annotation. */
    public static String of(DaemonSet ds) {
        TreeMap<String, Object> content = new TreeMap<>();
        content.put("labels", new TreeMap<>(ds.getMetadata().getLabels()));
        TreeMap<String, String> annotations = new TreeMap<>(ds.getMetadata().getAnnotations());
        annotations.remove(Labels.DESIRED_HASH_ANNOTATION);
        content.put("annotations", annotations);
        content.put("spec", ds.getSpec());
        try {
            return LabelValues.hash(MAPPER.writeValueAsString(content), 16);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise DaemonSet " + ds.getMetadata().getName(), e);
        }
    }
}
