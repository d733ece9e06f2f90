package io.kmm.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.Volume;
import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.KernelMapping;
import io.kmm.api.v1alpha1.ModuleSpec;
import io.kmm.loader.HostPaths;
import io.kmm.meta.LabelValues;

/**
 * Errors in a Module that do not depend on any kernel (kernel mappings, build sources, hostPath volumes, selector),
 * so that a typo is reported even before a node runs a kernel that reaches the broken part.
 */
public final class MappingValidation {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern LABEL_KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    public static final String INVALID_MODULE = "InvalidModule";
    public static final String INVALID_VOLUME = "InvalidVolume";

    /**
     * @param field e.g. {@code spec.kernelMappings[1].regexp}
     * @param reason the Degraded condition's reason
     */
    public record Problem(String field, String message, String reason) {
        public Problem(String field, String message) {
            this(field, message, field.startsWith("spec.kernelMappings") ? KernelResolution.REASON_INVALID_MAPPING
                    : INVALID_MODULE);
        }

        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    private MappingValidation() {
    }

    public static List<Problem> problems(ModuleSpec spec) {
        List<Problem> problems = new ArrayList<>();
        problems.addAll(podProblems(spec));
        selectorProblems(spec, problems);
        List<KernelMapping> mappings = spec.getKernelMappings();
        if (mappings == null || mappings.isEmpty()) {
            problems.add(new Problem("spec.kernelMappings", "at least one kernel mapping is required"));
            return problems;
        }
        for (int i = 0; i < mappings.size(); i++) {
            KernelMapping m = mappings.get(i);
            String field = "spec.kernelMappings[" + i + "]";
            if ((m.getLiteral() == null) == (m.getRegexp() == null)) {
                problems.add(new Problem(field, "set exactly one of literal and regexp ("
                        + (m.getLiteral() == null ? "neither is" : "both are") + " set)"));
            } else if (m.getRegexp() != null) {
                Regexps.Compiled compiled = Regexps.compile(m.getRegexp());
                if (!compiled.valid()) {
                    problems.add(new Problem(field + ".regexp", "invalid regular expression: " + compiled.error()));
                }
            }
            Build build = BuildSettings.merge(spec.getBuild(), m.getBuild());
            BuildSettings.Problem buildProblem = build == null ? null : BuildSettings.sourceProblem(build);
            if (buildProblem != null) {
                problems.add(new Problem(BuildSettings.sourceField(spec.getBuild(), m.getBuild(), i)
                        + buildProblem.subField(), buildProblem.message(), KernelResolution.REASON_INVALID_BUILD));
            }
            if (m.getContainerImage() == null || m.getContainerImage().isBlank()) {
                problems.add(new Problem(field + ".containerImage", "containerImage is empty"));
            } else {
                Matcher vars = VARIABLE.matcher(m.getContainerImage());
                while (vars.find()) {
                    if (!ImageVariables.NAMES.contains(vars.group(1))) {
                        problems.add(new Problem(field + ".containerImage", "unknown variable ${" + vars.group(1)
                                + "}; known variables are " + String.join(", ",
                                        ImageVariables.NAMES.stream().map(n -> "${" + n + "}").toList())));
                    }
                }
            }
        }
        return problems;
    }

    /**
     * Problems that concern every pod of the Module (no loader container, a forbidden hostPath volume): they hold
     * back every DaemonSet of the Module, loaders and device plugin.
     */
    public static List<Problem> podProblems(ModuleSpec spec) {
        List<Problem> problems = new ArrayList<>();
        if (spec.getModuleLoader() == null) {
            problems.add(new Problem("spec.moduleLoader", "a moduleLoader container is required"));
        }
        volumeProblems(spec, problems);
        return problems;
    }

    private static void volumeProblems(ModuleSpec spec, List<Problem> problems) {
        List<Volume> volumes = spec.getAdditionalVolumes() == null ? List.of() : spec.getAdditionalVolumes();
        for (int i = 0; i < volumes.size(); i++) {
            Volume volume = volumes.get(i);
            if (volume != null && volume.getHostPath() != null) {
                String field = "spec.additionalVolumes[" + i + "].hostPath.path";
                HostPaths.problem(volume.getHostPath().getPath())
                        .ifPresent(message -> problems.add(new Problem(field, message, INVALID_VOLUME)));
            }
        }
    }

    private static void selectorProblems(ModuleSpec spec, List<Problem> problems) {
        if (spec.getSelector() == null) {
            return;
        }
        spec.getSelector().forEach((key, value) -> {
            if (!LABEL_KEY.matcher(key == null ? "" : key).matches()) {
                problems.add(new Problem("spec.selector", "\"" + key + "\" is not a valid label key, so no node can "
                        + "have it"));
            } else if (value == null || !LabelValues.isValid(value)) {
                problems.add(new Problem("spec.selector[" + key + "]", "\"" + value + "\" is not a valid label "
                        + "value (at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric), "
                        + "so no node can have it"));
            }
        });
    }
}
