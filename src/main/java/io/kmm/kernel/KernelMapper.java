package io.kmm.kernel;

import java.util.List;

import io.kmm.api.v1alpha1.RegistryOptions;
import io.kmm.api.v1alpha1.Sign;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

import io.kmm.api.v1alpha1.ModuleSpec;
import io.kmm.meta.LabelValues;

/**
 * Resolves a Module's kernel mappings for kernels: mappings are tried in order and the first match wins. A mapping
 * that cannot be evaluated (both or neither of literal and regexp, a regexp that does not compile) stops the search
 * for every kernel that reaches it, because a later mapping must not win just because an earlier one is broken.
 * It checks nothing itself: it uses what {@link MappingValidation} found, and adds only what depends on the kernel.
 */
public final class KernelMapper {


    private final String moduleName;
    private final String moduleNamespace;
    private final MappingValidation.Result validation;

    public KernelMapper(String moduleName, String moduleNamespace, MappingValidation.Result validation) {
        this.moduleName = moduleName;
        this.moduleNamespace = moduleNamespace;
        this.validation = validation;
    }

    public KernelMapper(String moduleName, String moduleNamespace, ModuleSpec spec) {
        this(moduleName, moduleNamespace, MappingValidation.validate(spec));
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
        for (MappingValidation.Mapping mapping : validation.mappings()) {
            if (mapping.unevaluable() != null) {
                return new KernelResolution.Invalid(kernel, mapping.index(), mapping.unevaluable());
            }
            boolean matches = mapping.regexp() == null ? mapping.mapping().getLiteral().equals(kernel)
                    : mapping.regexp().matcher(kernel).find();
            if (matches) {
                return resolved(kernel, mapping);
            }
        }
        return new KernelResolution.Unmatched(kernel);
    }

    private KernelResolution resolved(String kernel, MappingValidation.Mapping mapping) {
        int index = mapping.index();
        if (mapping.image() != null) {
            return new KernelResolution.Invalid(kernel, index, mapping.image());
        }
        String imageField = mapping.field() + ".containerImage";
        String image;
        try {
            image = ImageVariables.of(KernelVersion.parse(kernel), moduleName, moduleNamespace)
                    .substitute(mapping.mapping().getContainerImage());
        } catch (IllegalArgumentException e) {
            return new KernelResolution.Invalid(kernel, index, new MappingValidation.Problem(imageField,
                    e.getMessage()));
        }
        if (!ImageReferences.isValid(image)) {
            return new KernelResolution.Invalid(kernel, index, new MappingValidation.Problem(imageField, "\"" + image
                    + "\" is not a valid image reference (a tag is at most 128 letters, digits, '_', '.' and '-'; a "
                    + "kernel with other characters needs a mapping with a fixed tag)"));
        }
        if (mapping.buildProblem() != null) {
            return new KernelResolution.Invalid(kernel, index, mapping.buildProblem());
        }
        if (mapping.signProblem() != null) {
            return new KernelResolution.Invalid(kernel, index, mapping.signProblem());
        }
        KernelResolution.ResolvedSign sign = null;
        if (mapping.sign() != null) {
            Sign s = mapping.sign();
            ImageVariables variables = ImageVariables.of(KernelVersion.parse(kernel), moduleName, moduleNamespace);
            String field = SignSettings.field(mapping.mapping().getSign(), index);
            String unsigned;
            if (mapping.build() != null) {
                if (!ImageReferences.hasTag(image)) {
                    return new KernelResolution.Invalid(kernel, index, new MappingValidation.Problem(imageField,
                            "a signed image that is built needs a tag (the build pushes <tag>"
                                    + SignSettings.UNSIGNED_SUFFIX + ", the signing <tag>), not a digest",
                            io.kmm.status.Reason.INVALID_SIGN));
                }
                unsigned = SignSettings.unsignedImage(image);
            } else {
                unsigned = variables.substitute(s.getUnsignedImage());
                if (!ImageReferences.isValid(unsigned)) {
                    return new KernelResolution.Invalid(kernel, index, new MappingValidation.Problem(field
                            + ".unsignedImage", "\"" + unsigned + "\" is not a valid image reference",
                            io.kmm.status.Reason.INVALID_SIGN));
                }
            }
            List<String> files = s.getFilesToSign().stream().map(variables::substitute).toList();
            boolean buildPushInsecure = mapping.build() != null && RegistryOptions.insecure(mapping.build().getPush());
            sign = new KernelResolution.ResolvedSign(unsigned, s.getKeySecret().getName(), s.getCertSecret().getName(),
                    files, mapping.dirName(), buildPushInsecure || RegistryOptions.insecure(s.getPull()),
                    buildPushInsecure || RegistryOptions.insecure(s.getPush()));
        }
        return new KernelResolution.Resolved(kernel, LabelValues.normalise(kernel), index, image, mapping.build(),
                sign);
    }
}
