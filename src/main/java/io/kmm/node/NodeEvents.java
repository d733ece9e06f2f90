package io.kmm.node;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** Events about Nodes (in the {@code default} namespace, as the kubelet's own). Never fails the caller. */
final class NodeEvents {

    private static final Logger LOG = Logger.getLogger(NodeEvents.class);

    private NodeEvents() {
    }

    static void warning(KubernetesClient client, Node node, String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        var event = new EventBuilder().withNewMetadata()
                .withName(io.kmm.meta.Names.event(node.getMetadata().getName(), Long.toHexString(System.nanoTime())))
                .withNamespace("default").endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion("v1").withKind("Node")
                        .withName(node.getMetadata().getName()).withUid(node.getMetadata().getUid()).build())
                .withType("Warning").withReason(reason).withMessage(message)
                .withNewSource().withComponent("kmm-operator").endSource().withReportingComponent("kmm-operator")
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1).build();
        try {
            client.v1().events().inNamespace("default").resource(event).create();
        } catch (KubernetesClientException e) {
            LOG.warnf("node %s: could not record event %s: %s", node.getMetadata().getName(), reason, e.getMessage());
        }
    }
}
