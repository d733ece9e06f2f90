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
     * @param build merged build settings (Module default overridden by the mapping), or null when there are none;
     *        with signing, the build makes {@link ResolvedSign#unsignedImage()}
     * @param sign the signing of the image, or null when it is not signed
     */
    record Resolved(String kernel, String kernelLabel, int mappingIndex, String image, Build build, ResolvedSign sign)
            implements KernelResolution {

        public Resolved(String kernel, String kernelLabel, int mappingIndex, String image, Build build) {
            this(kernel, kernelLabel, mappingIndex, image, build, null);
        }

        /** The image the build pushes: the unsigned one when the result is signed, else the loader's. */
        public String buildImage() {
            return sign != null ? sign.unsignedImage() : image;
        }
    }

    /**
     * Secure-boot signing for one kernel, resolved (variables filled in).
     *
     * @param unsignedImage the image whose files are signed (the build's output, or sign.unsignedImage)
     * @param filesToSign absolute paths (and globs) in the image
     * @param dirName where the image keeps {@code lib/modules}: what the signing copies out and back
     * @param pullInsecure plain HTTP or unverified TLS allowed for the unsigned image
     * @param pushInsecure the same for pushing the signed image
     */
    record ResolvedSign(String unsignedImage, String keySecret, String certSecret, java.util.List<String> filesToSign,
            String dirName, boolean pullInsecure, boolean pushInsecure) {
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
