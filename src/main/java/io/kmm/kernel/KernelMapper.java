package io.kmm.kernel;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;

import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.KernelMapping;
import io.kmm.api.v1alpha1.ModuleSpec;
import io.kmm.meta.LabelValues;

/**
 * Resolves a Module's kernel mappings for kernels: mappings are tried in order and the first match wins. A
 * mapping that cannot be evaluated (both or neither of literal and regexp, a regexp that does not compile) stops
 * the search for every kernel that reaches it, because a later mapping must not win just because an earlier one
 * is broken.
 */
public final class KernelMapper {

    private final String moduleName;
    private final String moduleNamespace;
    private final ModuleSpec spec;

    public KernelMapper(String moduleName, String moduleNamespace, ModuleSpec spec) {
        this.moduleName = moduleName;
        this.moduleNamespace = moduleNamespace;
        this.spec = spec;
    }

    /** One resolution per kernel, sorted by kernel. */
    public Map<String, KernelResolution> resolveAll(Collection<String> kernels) {
        Map<String, KernelResolution> out = new TreeMap<>();
        for (String kernel : kernels) {
            out.put(kernel, resolve(kernel));
        }
        return out;
    }

    public KernelResolution resolve(String kernel) {
        List<KernelMapping> mappings = spec.getKernelMappings() == null ? List.of() : spec.getKernelMappings();
        for (int i = 0; i < mappings.size(); i++) {
            KernelMapping mapping = mappings.get(i);
            String field = "spec.kernelMappings[" + i + "]";
            boolean hasLiteral = mapping.getLiteral() != null;
            boolean hasRegexp = mapping.getRegexp() != null;
            if (hasLiteral == hasRegexp) {
                return new KernelResolution.Invalid(kernel, i, field,
                        "set exactly one of literal and regexp (" + (hasLiteral ? "both are" : "neither is") + " set)");
            }
            boolean matches;
            if (hasLiteral) {
                matches = mapping.getLiteral().equals(kernel);
            } else {
                Regexps.Compiled compiled = Regexps.compile(mapping.getRegexp());
                if (!compiled.valid()) {
                    return new KernelResolution.Invalid(kernel, i, field + ".regexp",
                            "invalid regular expression: " + compiled.error());
                }
                matches = compiled.pattern().matcher(kernel).find();
            }
            if (matches) {
                return resolved(kernel, i, mapping, field);
            }
        }
        return new KernelResolution.Unmatched(kernel);
    }

    private KernelResolution resolved(String kernel, int index, KernelMapping mapping, String field) {
        String template = mapping.getContainerImage();
        if (template == null || template.isBlank()) {
            return new KernelResolution.Invalid(kernel, index, field + ".containerImage", "containerImage is empty");
        }
        String image;
        try {
            image = ImageVariables.of(KernelVersion.parse(kernel), moduleName, moduleNamespace).substitute(template);
        } catch (IllegalArgumentException e) {
            return new KernelResolution.Invalid(kernel, index, field + ".containerImage", e.getMessage());
        }
        if (!validImageReference(image)) {
            return new KernelResolution.Invalid(kernel, index, field + ".containerImage", "\"" + image
                    + "\" is not a valid image reference (a tag is at most 128 letters, digits, '_', '.' and '-'; a "
                    + "kernel with other characters needs a mapping with a fixed tag)");
        }
        Build build = BuildSettings.merge(spec.getBuild(), mapping.getBuild());
        BuildSettings.Problem problem = build == null ? null : BuildSettings.sourceProblem(build);
        if (problem != null) {
            return new KernelResolution.Invalid(kernel, index,
                    BuildSettings.sourceField(spec.getBuild(), mapping.getBuild(), index) + problem.subField(),
                    problem.message(), KernelResolution.REASON_INVALID_BUILD);
        }
        return new KernelResolution.Resolved(kernel, LabelValues.normalise(kernel), index, image, build);
    }

    private static boolean validImageReference(String image) {
        try {
            ImageReference.parse(image);
            return true;
        } catch (InvalidImageReferenceException e) {
            return false;
        }
    }
}
