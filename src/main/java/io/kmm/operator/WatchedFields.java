package io.kmm.operator;

import java.io.IOException;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;

/**
 * The parts of a watched object the operator reads, so that a watch event's object is bound without the rest: the
 * rest is still tokenized (it is in the stream) but never becomes objects and strings. Every kind loses
 * {@code metadata.managedFields} (about a third of a Pod or Node as the API server sends it; nothing in the operator
 * reads it). A loader Pod keeps {@code spec.nodeName} and {@code status.conditions} of its spec and status (its
 * containers, volumes, tolerations, affinity and container statuses are two thirds of the rest); a Node keeps
 * {@code status.nodeInfo} of its status and no spec (a real node's image list, conditions, addresses and capacity are
 * most of it). These are exactly what the informers' caches keep of them ({@code LoaderPods.prune},
 * {@code PrunedNodeStore.prune}), and the event filters compare nothing else: the objects that reach the event
 * handlers are the ones the caches would have kept. DaemonSets, Jobs and Modules lose only their managed fields.
 *
 * <p>Only watch events are read this way ({@link WatchEventDeserialization}); lists and the answers to the operator's
 * own requests are read whole.
 */
public final class WatchedFields {

    /** Of the object's top-level field (the key), keep only these of its fields; any other field of the object is kept. */
    private final Map<String, Set<String>> keepOnly;
    /** Top-level fields dropped whole. */
    private final Set<String> dropped;

    private WatchedFields(Map<String, Set<String>> keepOnly, Set<String> dropped) {
        this.keepOnly = keepOnly;
        this.dropped = dropped;
    }

    /** Drops the managed fields only. */
    static final WatchedFields WHOLE = new WatchedFields(Map.of(), Set.of());
    static final WatchedFields LOADER_POD = new WatchedFields(
            Map.of("spec", Set.of("nodeName"), "status", Set.of("conditions")), Set.of());
    static final WatchedFields NODE = new WatchedFields(Map.of("status", Set.of("nodeInfo")), Set.of("spec"));

    /** The fields read of an object of this class. */
    static WatchedFields of(Class<?> type) {
        if (type == io.fabric8.kubernetes.api.model.Pod.class) {
            return LOADER_POD;
        }
        if (type == io.fabric8.kubernetes.api.model.Node.class) {
            return NODE;
        }
        return WHOLE;
    }

    /** Is this field, of an object that is the value of the top-level field {@code parent}, read? */
    boolean reads(String parent, String field) {
        if ("metadata".equals(parent)) {
            return !"managedFields".equals(field);
        }
        Set<String> kept = keepOnly.get(parent);
        return kept == null || kept.contains(field);
    }

    /** Is this top-level field read? */
    boolean reads(String field) {
        return !dropped.contains(field);
    }

    /**
     * The parser of one object positioned on its {@code START_OBJECT} (already returned), that skips what is not
     * read: the consumer never sees the skipped fields' names or values.
     */
    JsonParser filter(JsonParser object) {
        return new Skipping(object, this);
    }

    /** Skips fields at depth 1 (the object's) and 2 (the objects of its fields), by {@link #reads}. */
    static final class Skipping extends JsonParserDelegate {

        private final WatchedFields fields;
        /** Depth of the current token: 1 inside the object (its fields), 2 inside a field's object or array... */
        private int depth = 1;
        /** The current top-level field. */
        private String top;

        Skipping(JsonParser parser, WatchedFields fields) {
            super(parser);
            this.fields = fields;
        }

        @Override
        public JsonToken nextToken() throws IOException {
            while (true) {
                JsonToken t = delegate.nextToken();
                if (t == null) {
                    return null;
                }
                switch (t) {
                    case START_OBJECT, START_ARRAY -> depth++;
                    case END_OBJECT, END_ARRAY -> depth--;
                    case FIELD_NAME -> {
                        if (depth <= 2 && !read(delegate.currentName())) {
                            delegate.nextToken(); // the value: skipped whole
                            delegate.skipChildren();
                            continue;
                        }
                    }
                    default -> {
                    }
                }
                return t;
            }
        }

        private boolean read(String name) {
            if (depth == 1) {
                top = name;
                return fields.reads(name);
            }
            return fields.reads(top, name);
        }

        @Override
        public JsonToken nextValue() throws IOException {
            JsonToken t = nextToken();
            return t == JsonToken.FIELD_NAME ? nextToken() : t;
        }

        @Override
        public JsonParser skipChildren() throws IOException {
            JsonToken t = delegate.currentToken();
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                delegate.skipChildren(); // to the matching end, which closes the level the start opened
                depth--;
            }
            return this;
        }
    }
}
