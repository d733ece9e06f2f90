package io.kmm.operator;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserSequence;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.util.TokenBuffer;

import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kmm.api.v1alpha1.Module;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;

/**
 * Reads the informers' watch events in one pass. The client reads the object of each event into a JSON tree first
 * (to find its kind among every class it knows), then binds the tree to that class: every event is parsed twice,
 * and on a large cluster watch events (node heartbeats, pods starting, DaemonSet status) are most of the operator's
 * work. The API server writes an object's {@code kind} and {@code apiVersion} before anything else; this reads them
 * (keeping the tokens read so far) and binds the object straight from the stream into the class of the kinds the
 * operator watches ({@link #KINDS}). Any other kind (a {@code Status} in an ERROR event, an OpenShift Build), or an
 * object whose kind does not come first, goes the client's own way, as before. The same Jackson bean deserializers
 * bind them, but without what the operator never reads of them ({@link WatchedFields}: the managed fields of every
 * kind, most of a loader Pod's spec and status, a Node's spec and most of its status).
 */
@Singleton
public class WatchEventDeserialization implements KubernetesClientObjectMapperCustomizer {

    /** "apiVersion/kind" of the watched kinds, and their classes. */
    static final Map<String, Class<? extends KubernetesResource>> KINDS = Map.of(
            "v1/Pod", Pod.class,
            "v1/Node", Node.class,
            "apps/v1/DaemonSet", DaemonSet.class,
            "batch/v1/Job", Job.class,
            Module.API_VERSION + "/" + Module.KIND, Module.class);

    private static final java.util.concurrent.atomic.LongAdder DIRECT = new java.util.concurrent.atomic.LongAdder();

    /** How many watched objects were read in one pass since start (a diagnostic: the tests check it rises). */
    public static long directReads() {
        return DIRECT.sum();
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(module());
    }

    static SimpleModule module() {
        return new SimpleModule("kmm-watch-events").addDeserializer(WatchEvent.class, new Deserializer());
    }

    static final class Deserializer extends StdDeserializer<WatchEvent> {

        /**
         * The bean deserializers of the watched kinds, found once per mapper configuration: Jackson's
         * {@code DeserializationContext.readValue(parser, Class)} looks for a type deserializer on every call, which
         * introspects the class's annotations each time (8 % of the event loop's samples in a steady state of 1,000
         * nodes, before this).
         */
        private volatile Found found;

        /** Deserializers found with one configuration. */
        private record Found(DeserializationConfig config, Map<Class<?>, JsonDeserializer<Object>> byType) {
        }

        Deserializer() {
            super(WatchEvent.class);
        }

        /** What {@code ctxt.readValue(parser, type)} would use, found once for the context's configuration. */
        JsonDeserializer<Object> deserializerOf(Class<?> type, DeserializationContext ctxt) throws IOException {
            Found f = found;
            if (f == null || f.config() != ctxt.getConfig()) {
                f = new Found(ctxt.getConfig(), new ConcurrentHashMap<>());
                found = f;
            }
            JsonDeserializer<Object> deserializer = f.byType().get(type);
            if (deserializer == null) {
                deserializer = ctxt.findRootValueDeserializer(ctxt.constructType(type));
                if (deserializer == null) {
                    throw new IllegalStateException("no deserializer for " + type.getName());
                }
                f.byType().put(type, deserializer);
            }
            return deserializer;
        }

        @Override
        public WatchEvent deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.START_OBJECT) {
                t = p.nextToken();
            }
            WatchEvent event = new WatchEvent();
            for (; t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                p.nextToken();
                if ("type".equals(name)) {
                    event.setType(p.getValueAsString());
                } else if ("object".equals(name)) {
                    event.setObject(object(p, ctxt));
                } else {
                    p.skipChildren();
                }
            }
            return event;
        }

        private KubernetesResource object(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                return p.currentToken() == JsonToken.VALUE_NULL ? null
                        : ctxt.readValue(p, KubernetesResource.class);
            }
            TokenBuffer head = ctxt.bufferForInputBuffering(p);
            head.writeStartObject();
            String kind = null;
            String apiVersion = null;
            while (kind == null || apiVersion == null) {
                if (p.nextToken() != JsonToken.FIELD_NAME) { // the end of an object without both
                    head.writeEndObject();
                    JsonParser whole = head.asParser(p);
                    whole.nextToken();
                    return ctxt.readValue(whole, KubernetesResource.class);
                }
                String field = p.currentName();
                JsonToken value = p.nextToken();
                head.writeFieldName(field);
                if (value == JsonToken.VALUE_STRING && "kind".equals(field)) {
                    kind = p.getText();
                } else if (value == JsonToken.VALUE_STRING && "apiVersion".equals(field)) {
                    apiVersion = p.getText();
                }
                head.copyCurrentStructure(p);
            }
            // the tokens read so far, then the rest of the object from the stream (without repeating the current one)
            JsonParser rest = JsonParserSequence.createFlattened(false, head.asParser(p), p);
            rest.nextToken();
            Class<? extends KubernetesResource> type = KINDS.get(apiVersion + "/" + kind);
            if (type == null) {
                return ctxt.readValue(rest, KubernetesResource.class);
            }
            DIRECT.increment();
            return (KubernetesResource) deserializerOf(type, ctxt).deserialize(WatchedFields.of(type).filter(rest), ctxt);
        }
    }
}
