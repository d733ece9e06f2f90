package io.kmm.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.fabric8.kubernetes.api.model.Toleration;
import io.kmm.meta.LabelValues;

/**
 * The Kubernetes rules for pod tolerations, checked on the Module so that a mistake is reported with the field that
 * holds it (instead of as every DaemonSet being refused by the API server, or admitted by a server that does not
 * validate).
 */
final class Tolerations {

    private static final Set<String> OPERATORS = Set.of("Exists", "Equal");
    private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");

    private Tolerations() {
    }

    static List<MappingValidation.Problem> problems(List<Toleration> tolerations) {
        List<MappingValidation.Problem> problems = new ArrayList<>();
        if (tolerations == null) {
            return problems;
        }
        for (int i = 0; i < tolerations.size(); i++) {
            Toleration t = tolerations.get(i);
            String field = "spec.tolerations[" + i + "]";
            if (t == null) {
                continue;
            }
            String operator = t.getOperator() == null || t.getOperator().isEmpty() ? "Equal" : t.getOperator();
            String key = t.getKey() == null ? "" : t.getKey();
            if (!OPERATORS.contains(operator)) {
                problems.add(new MappingValidation.Problem(field + ".operator", "\"" + t.getOperator()
                        + "\" is not a toleration operator: use Exists or Equal"));
                continue;
            }
            if (!key.isEmpty() && !MappingValidation.LABEL_KEY.matcher(key).matches()) {
                problems.add(new MappingValidation.Problem(field + ".key", "\"" + key + "\" is not a valid taint key "
                        + "(a label key: an optional DNS prefix and '/', then at most 63 alphanumerics, '-', '_' or '.')"));
            }
            if (key.isEmpty() && !"Exists".equals(operator)) {
                problems.add(new MappingValidation.Problem(field + ".operator", "a toleration without a key must use "
                        + "operator Exists (it then tolerates every taint)"));
            }
            String value = t.getValue() == null ? "" : t.getValue();
            if ("Exists".equals(operator) && !value.isEmpty()) {
                problems.add(new MappingValidation.Problem(field + ".value", "must be empty with operator Exists"));
            } else if ("Equal".equals(operator) && !value.isEmpty() && !LabelValues.isValid(value)) {
                problems.add(new MappingValidation.Problem(field + ".value", "\"" + value + "\" is not a valid taint "
                        + "value (at most 63 alphanumerics, '-', '_' or '.')"));
            }
            String effect = t.getEffect() == null ? "" : t.getEffect();
            if (!effect.isEmpty() && !EFFECTS.contains(effect)) {
                problems.add(new MappingValidation.Problem(field + ".effect", "\"" + effect + "\" is not a taint "
                        + "effect: use NoSchedule, PreferNoSchedule or NoExecute (or leave it empty for all)"));
            }
            if (t.getTolerationSeconds() != null && !"NoExecute".equals(effect)) {
                problems.add(new MappingValidation.Problem(field + ".tolerationSeconds", "only applies to effect "
                        + "NoExecute"));
            }
        }
        return problems;
    }
}
