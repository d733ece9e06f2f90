package io.kmm.kernel;

import io.kmm.api.v1alpha1.Build;

/** What a Module's kernel mappings say about one kernel. */
public sealed interface KernelResolution {

    String kernel();

    /**
     * A mapping matched: everything downstream needs for this kernel, resolved once.
     *
     * @param kernel exact kernel version
     * @param kernelLabel the kernel as a label value (see {@link io.kmm.meta.LabelValues#normalise})
     * @param mappingIndex index of the matching kernel mapping
     * @param image ModuleLoader image with variables substituted
     * @param build merged build settings (Module default overridden by the mapping), or null when there are none
     */
    record Resolved(String kernel, String kernelLabel, int mappingIndex, String image, Build build)
            implements KernelResolution {
    }

    /** No mapping matches this kernel. */
    record Unmatched(String kernel) implements KernelResolution {
    }

    /**
     * The mappings cannot be evaluated for this kernel because of an error the user must fix.
     *
     * @param problem what is wrong: one of the validation's problems, or one that only this kernel has (a variable
     *        without a value for it, an image that is no valid reference once filled in)
     */
    record Invalid(String kernel, int mappingIndex, MappingValidation.Problem problem) implements KernelResolution {

        /** The offending field, e.g. {@code spec.kernelMappings[2].regexp}. */
        public String field() {
            return problem.field();
        }

        public String message() {
            return problem.message();
        }

        /** The Degraded condition's reason, e.g. InvalidKernelMapping or InvalidBuild. */
        public io.kmm.status.Reason reason() {
            return problem.reason();
        }
    }
}
