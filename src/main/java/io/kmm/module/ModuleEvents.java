package io.kmm.module;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kmm.api.v1alpha1.Module;
import io.kmm.status.Reason;

/**
 * Records core/v1 Events on Modules, as {@code kubectl describe module} shows them. Best effort: a failure to record
 * an event is logged and never fails a reconcile.
 */
@ApplicationScoped
public class ModuleEvents {

    public static final String COMPONENT = "kmm-operator";
    private static final Logger LOG = Logger.getLogger(ModuleEvents.class);

    @Inject
    KubernetesClient client;

    public void normal(Module module, Reason reason, String message) {
        record(module, "Normal", reason.toString(), message);
    }

    public void warning(Module module, Reason reason, String message) {
        record(module, "Warning", reason.toString(), message);
    }

    /** An event on a PreflightValidation (cluster-scoped: its events are in namespace default, as for nodes). */
    public void preflight(io.kmm.api.v1alpha1.PreflightValidation preflight, boolean warning, Reason reason,
            String message) {
        record(preflight, "default", io.kmm.api.v1alpha1.PreflightValidation.KIND, warning ? "Warning" : "Normal",
                reason.toString(), message);
    }

    private void record(Module module, String type, String reason, String message) {
        record(module, module.getMetadata().getNamespace(), Module.KIND, type, reason, message);
    }

    private void record(io.fabric8.kubernetes.api.model.HasMetadata object, String namespace, String kind, String type,
            String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        var event = new EventBuilder()
                .withNewMetadata()
                .withName(io.kmm.meta.Names.event(object.getMetadata().getName(),
                        Long.toHexString(System.currentTimeMillis() * 1_000_000L + System.nanoTime() % 1_000_000L)))
                .withNamespace(namespace)
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(Module.API_VERSION)
                        .withKind(kind).withNamespace(object.getMetadata().getNamespace())
                        .withName(object.getMetadata().getName())
                        .withUid(object.getMetadata().getUid()).build())
                .withType(type)
                .withReason(reason)
                .withMessage(message.length() > 1024 ? message.substring(0, 1021) + "..." : message)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .build();
        try {
            client.v1().events().inNamespace(namespace).resource(event).create();
        } catch (KubernetesClientException e) {
            LOG.warnf("%s %s/%s: could not record event %s: %s", kind, namespace, object.getMetadata().getName(), reason,
                    e.getMessage());
        }
    }
}
