package io.kmm.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kmm.TestModules;
import io.kmm.api.v1alpha1.Module;

/** The one-pass reader gives the same events as the client's own, for the watched kinds and for any other. */
class WatchEventDeserializationTest {

    static final KubernetesSerialization CLIENT = new KubernetesSerialization();
    static final KubernetesSerialization OURS;

    static {
        CLIENT.registerKubernetesResource(Module.class); // as the client does for a custom resource it is given
        ObjectMapper mapper = new ObjectMapper();
        OURS = new KubernetesSerialization(mapper, true);
        new WatchEventDeserialization().customize(mapper);
    }

    /**
     * What {@link WatchedFields} promises, stated again on the JSON: the event without the object's managed fields,
     * and of a Pod only its spec's node name and its status's conditions, of a Node no spec and only its status's
     * node info. An object whose kind and apiVersion do not come first is read whole (the client's way).
     */
    static String lean(String json) {
        try {
            var tree = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(json);
            if (!(tree.get("object") instanceof com.fasterxml.jackson.databind.node.ObjectNode object)) {
                return json;
            }
            var names = object.fieldNames();
            java.util.Set<String> first = new java.util.HashSet<>();
            first.add(names.hasNext() ? names.next() : "");
            first.add(names.hasNext() ? names.next() : "");
            if (!first.equals(java.util.Set.of("kind", "apiVersion"))) {
                return json;
            }
            if (object.get("metadata") instanceof com.fasterxml.jackson.databind.node.ObjectNode meta) {
                meta.remove("managedFields");
            }
            String kind = object.path("kind").asText();
            if (kind.equals("Pod")) {
                retain(object, "spec", "nodeName");
                retain(object, "status", "conditions");
            } else if (kind.equals("Node")) {
                object.remove("spec");
                retain(object, "status", "nodeInfo");
            }
            return JSON.writeValueAsString(tree);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void retain(com.fasterxml.jackson.databind.node.ObjectNode object, String field, String kept) {
        if (object.get(field) instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            o.retain(kept);
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();

    static WatchEvent both(String json) {
        WatchEvent expected = CLIENT.unmarshal(lean(json), WatchEvent.class);
        WatchEvent actual = OURS.unmarshal(json, WatchEvent.class);
        assertThat(actual.getType()).isEqualTo(expected.getType());
        // the same content (compared as JSON: not every class of the API has equals) and the same class
        assertThat(CLIENT.asJson(actual.getObject())).isEqualTo(CLIENT.asJson(expected.getObject()));
        if (expected.getObject() != null) {
            assertThat(actual.getObject()).isExactlyInstanceOf(expected.getObject().getClass());
        }
        return actual;
    }

    static String event(String type, Object object) {
        return "{\"type\":\"" + type + "\",\"object\":" + CLIENT.asJson(object) + "}";
    }

    @Test
    void watchedKindsBindStraightToTheirClasses() {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").withNamespace("ns").addToLabels("a", "b")
                .endMetadata().withNewSpec().withNodeName("n1").addNewContainer().withName("c").withImage("i")
                .endContainer().endSpec().withNewStatus().addNewCondition().withType("Ready").withStatus("True")
                .endCondition().endStatus().build();
        Pod lean = new PodBuilder(pod).editSpec().withContainers().endSpec().build();
        assertThat(both(event("MODIFIED", pod)).getObject()).isEqualTo(lean);
        Node node = TestModules.node("n1", "6.1.0", Map.of("pool", "a"));
        assertThat(both(event("ADDED", node)).getObject()).isInstanceOf(Node.class);
        DaemonSet ds = new io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder().withNewMetadata().withName("d")
                .endMetadata().withNewStatus().withNumberAvailable(3).endStatus().build();
        assertThat(both(event("MODIFIED", ds)).getObject()).isEqualTo(ds);
        Module module = TestModules.module("ns", "m", Map.of("a", "b"), TestModules.literal("6.1.0", "img:1"));
        assertThat(both(event("DELETED", module)).getObject()).isInstanceOf(Module.class);
    }

    @Test
    void anythingElseGoesTheClientsWay() {
        // an ERROR event's Status, a kind the operator does not watch, the kind after other fields, unknown fields
        assertThat(both("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":"
                + "\"Failure\",\"code\":410,\"reason\":\"Expired\"}}").getObject()).isInstanceOf(Status.class);
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata().addToData("k", "v")
                .build();
        assertThat(both(event("ADDED", cm)).getObject()).isEqualTo(cm);
        assertThat(both("{\"object\":{\"metadata\":{\"name\":\"p\"},\"spec\":{\"nodeName\":\"n\"},\"apiVersion\":"
                + "\"v1\",\"kind\":\"Pod\",\"extra\":{\"x\":[1,2]}},\"type\":\"MODIFIED\",\"more\":1}").getObject())
                .isInstanceOf(Pod.class);
        assertThat(both("{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":"
                + "{\"resourceVersion\":\"12\"}}}").getObject()).isInstanceOf(Pod.class);
        assertThat(both("{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Pod\"}}").getObject()).isNotNull();
    }

    @Test
    void theDeserializersFoundOnceServeEachKindAndEachMapper() throws Exception {
        // one deserializer in two mappers whose bean deserializers differ (property names matched case-insensitively
        // by the second only), read in turns: each mapper binds with its own, each kind to its class
        WatchEventDeserialization.Deserializer shared = new WatchEventDeserialization.Deserializer();
        ObjectMapper exact = new ObjectMapper().registerModule(
                new com.fasterxml.jackson.databind.module.SimpleModule("a").addDeserializer(WatchEvent.class, shared));
        ObjectMapper caseless = com.fasterxml.jackson.databind.json.JsonMapper.builder()
                .enable(com.fasterxml.jackson.databind.MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
                .addModule(new com.fasterxml.jackson.databind.module.SimpleModule("b")
                        .addDeserializer(WatchEvent.class, shared))
                .build();
        String upperCase = "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"DaemonSet\",\"apiVersion\":\"apps/v1\","
                + "\"METADATA\":{\"name\":\"d\"}}}";
        Node node = TestModules.node("n1", "6.1.0", Map.of("pool", "a"));
        for (int i = 0; i < 3; i++) {
            assertThat(((DaemonSet) exact.readValue(upperCase, WatchEvent.class).getObject()).getMetadata()).isNull();
            assertThat(((DaemonSet) caseless.readValue(upperCase, WatchEvent.class).getObject()).getMetadata()
                    .getName()).isEqualTo("d");
            for (ObjectMapper mapper : java.util.List.of(exact, caseless)) {
                assertThat(((Node) mapper.readValue(event("ADDED", node), WatchEvent.class).getObject())
                        .getMetadata().getLabels()).containsEntry("pool", "a");
            }
        }
    }

    static String resource(String name) {
        try (var in = WatchEventDeserializationTest.class.getResourceAsStream("/watch/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A loader pod and a node as the API server sent them (kwok's, with their managed fields). */
    @Test
    void aLoaderPodKeepsWhatTheLabellerReads() {
        String json = "{\"type\":\"MODIFIED\",\"object\":" + resource("kwok-pod.json") + "}";
        Pod full = CLIENT.unmarshal(json, WatchEvent.class).getObject() instanceof Pod p ? p : null;
        Pod lean = (Pod) both(json).getObject();
        assertThat(full.getMetadata().getManagedFields()).isNotEmpty();
        assertThat(full.getSpec().getContainers()).isNotEmpty();
        assertThat(lean.getMetadata().getManagedFields()).isEmpty();
        assertThat(lean.getSpec().getContainers()).isEmpty();
        assertThat(lean.getStatus().getContainerStatuses()).isEmpty();
        // what the cache keeps, and what the event filter compares, are the same either way
        assertThat(io.kmm.node.LoaderPods.prune(lean)).isEqualTo(io.kmm.node.LoaderPods.prune(full));
        assertThat(io.kmm.node.LoaderPods.ready(lean)).isTrue();
        assertThat(io.kmm.node.LoaderPods.nodeName(lean)).isEqualTo("kwok-node-0");
        assertThat(io.kmm.node.LoaderPods.relevantChange(lean, full)).isFalse();
        assertThat(lean.getMetadata().getLabels()).isEqualTo(full.getMetadata().getLabels());
        assertThat(lean.getMetadata().getOwnerReferences()).isEqualTo(full.getMetadata().getOwnerReferences());
        assertThat(CLIENT.asJson(lean).length()).isLessThan(CLIENT.asJson(full).length() / 3);
    }

    @Test
    void aNodeKeepsWhatTheLabellerAndTheModuleControllerRead() {
        String json = "{\"type\":\"MODIFIED\",\"object\":" + resource("kwok-node.json") + "}";
        Node full = (Node) CLIENT.unmarshal(json, WatchEvent.class).getObject();
        Node lean = (Node) both(json).getObject();
        assertThat(full.getMetadata().getManagedFields()).isNotEmpty();
        assertThat(full.getStatus().getConditions()).isNotEmpty();
        assertThat(lean.getMetadata().getManagedFields()).isEmpty();
        assertThat(lean.getStatus().getConditions()).isEmpty();
        assertThat(lean.getStatus().getNodeInfo()).isEqualTo(full.getStatus().getNodeInfo());
        assertThat(io.kmm.node.PrunedNodeStore.prune(lean)).isEqualTo(io.kmm.node.PrunedNodeStore.prune(full));
        assertThat(new io.kmm.node.NodeLabeller.Filter().accept(lean, full)).isFalse();
        assertThat(lean.getMetadata().getLabels()).isEqualTo(full.getMetadata().getLabels())
                .containsKey("kmm.node.kubernetes.io/kernel-version.full");
    }

    @Test
    void otherKindsLoseOnlyTheirManagedFields() {
        DaemonSet ds = new io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder().withNewMetadata().withName("d")
                .addNewManagedField().withManager("kube-controller-manager").withOperation("Update")
                .withNewFieldsV1().addToAdditionalProperties("f:status", Map.of()).endFieldsV1().endManagedField()
                .endMetadata().withNewSpec().withNewTemplate().withNewSpec().withNodeName("n").addNewContainer()
                .withName("c").endContainer().endSpec().endTemplate().endSpec().withNewStatus()
                .withNumberAvailable(3).endStatus().build();
        DaemonSet read = (DaemonSet) both(event("MODIFIED", ds)).getObject();
        assertThat(read.getMetadata().getManagedFields()).isEmpty();
        assertThat(read).isEqualTo(new io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder(ds).editMetadata()
                .withManagedFields().endMetadata().build());
    }

    /** Fields skipped whole, whatever they hold, and the consumer skipping values itself, keep the reader in step. */
    @Test
    void skippedValuesOfAnyShapeKeepTheStreamInStep() {
        String json = "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
                + "\"metadata\":{\"name\":\"p\",\"managedFields\":[{\"a\":[[],{}]}],\"unknownMeta\":{\"x\":1},"
                + "\"labels\":{\"k\":\"v\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"args\":[\"{\",\"}\"]}],"
                + "\"nodeName\":\"n\",\"volumes\":[]},\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":"
                + "\"Ready\",\"status\":\"True\"}],\"podIP\":null},\"unknownTop\":[1,{\"y\":2}]},\"after\":{\"z\":[3]}}";
        Pod pod = (Pod) both(json).getObject();
        assertThat(pod.getMetadata().getName()).isEqualTo("p");
        assertThat(pod.getMetadata().getLabels()).containsEntry("k", "v");
        assertThat(pod.getSpec().getNodeName()).isEqualTo("n");
        assertThat(io.kmm.node.LoaderPods.ready(pod)).isTrue();
        assertThat(pod.getStatus().getPhase()).isNull();
    }
}
