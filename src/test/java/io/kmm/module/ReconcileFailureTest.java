package io.kmm.module;

import static io.kmm.TestModules.literal;
import static io.kmm.TestModules.module;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.OperatorException;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.ModuleStatus;
import io.kmm.status.Conditions;

class ReconcileFailureTest {

    static final Instant T = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void theApiServersAnswerNotTheClientsStackTraceGoesIntoTheStatus() {
        var refused = new KubernetesClientException(new StatusBuilder().withCode(403).withMessage(
                "daemonsets.apps \"x\" is forbidden: exceeded quota: q").build());
        Exception wrapped = new OperatorException(refused);
        assertThat(ModuleReconciler.describe(wrapped))
                .isEqualTo("the API server answered 403: daemonsets.apps \"x\" is forbidden: exceeded quota: q");
        assertThat(ModuleReconciler.code(wrapped)).isEqualTo(403);
        assertThat(ModuleReconciler.describe(new IllegalStateException("boom"))).isEqualTo("IllegalStateException: boom");
    }

    @Test
    void degradedSaysReconcileFailedAndTheRestOfTheStatusStays() {
        Module m = module("ns", "mod", Map.of(), literal("6.1.0", "img"));
        ModuleStatus previous = new ModuleStatus();
        previous.setTargetedNodes(3);
        previous.getConditions().add(Conditions.of(Conditions.READY, true, "AllLoadersAvailable", "3 of 3", 1L, null,
                T));
        m.setStatus(previous);

        ModuleStatus failed = ModuleReconciler.ReconcileFailure.status(m, "the API server answered 403: no", T);
        assertThat(failed.getTargetedNodes()).isEqualTo(3);
        assertThat(Conditions.find(failed.getConditions(), Conditions.DEGRADED).orElseThrow()).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("ReconcileFailed");
            assertThat(c.getMessage()).endsWith("the API server answered 403: no");
        });
        assertThat(Conditions.find(failed.getConditions(), Conditions.READY).orElseThrow().getStatus())
                .isEqualTo("False");
        assertThat(previous.getConditions()).hasSize(1); // the Module's own status is not changed in place

        m.setStatus(failed);
        assertThat(ModuleReconciler.ReconcileFailure.status(m, "the API server answered 403: no", T.plusSeconds(5)))
                .as("the same failure again: the same status, so no second write").isEqualTo(failed);
    }
}
