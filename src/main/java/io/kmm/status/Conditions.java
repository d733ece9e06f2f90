package io.kmm.status;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

/** Kubernetes-style conditions whose lastTransitionTime moves only when their status moves. */
public final class Conditions {

    public static final String READY = "Ready";
    public static final String PROGRESSING = "Progressing";
    public static final String DEGRADED = "Degraded";

    private Conditions() {
    }

    public static Condition of(String type, boolean status, Reason reason, String message, Long generation,
            List<Condition> previous, Instant now) {
        return of(type, status, reason.toString(), message, generation, previous, now);
    }

    public static Condition of(String type, boolean status, String reason, String message, Long generation,
            List<Condition> previous, Instant now) {
        return of(type, status ? "True" : "False", reason, message, generation, previous, now);
    }

    /** @param statusText True, False or Unknown */
    public static Condition of(String type, String statusText, String reason, String message, Long generation,
            List<Condition> previous, Instant now) {
        String transition = find(previous, type)
                .filter(c -> statusText.equals(c.getStatus()) && c.getLastTransitionTime() != null)
                .map(Condition::getLastTransitionTime)
                .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
        return new ConditionBuilder().withType(type).withStatus(statusText).withReason(reason).withMessage(message)
                .withObservedGeneration(generation).withLastTransitionTime(transition).build();
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
    }
}
