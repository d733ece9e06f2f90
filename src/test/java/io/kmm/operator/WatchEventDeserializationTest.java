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

    static WatchEvent both(String json) {
        WatchEvent expected = CLIENT.unmarshal(json, WatchEvent.class);
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
        assertThat(both(event("MODIFIED", pod)).getObject()).isEqualTo(pod);
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
}
