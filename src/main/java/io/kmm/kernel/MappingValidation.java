package io.kmm.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.kmm.api.v1alpha1.KernelMapping;
import io.kmm.api.v1alpha1.ModuleSpec;

/**
 * Errors in a Module's kernel mappings that do not depend on any kernel, so that a typo is reported even before a
 * node runs a kernel that reaches the broken mapping.
 */
public final class MappingValidation {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    /** @param field e.g. {@code spec.kernelMappings[1].regexp} */
    public record Problem(String field, String message) {
        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    private MappingValidation() {
    }

    public static List<Problem> problems(ModuleSpec spec) {
        List<Problem> problems = new ArrayList<>();
        if (spec.getModuleLoader() == null) {
            problems.add(new Problem("spec.moduleLoader", "a moduleLoader container is required"));
        }
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
}
