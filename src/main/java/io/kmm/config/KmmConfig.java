package io.kmm.config;

import io.kmm.meta.Labels;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Every {@code kmm.*} setting of the operator. */
@ConfigMapping(prefix = "kmm")
public interface KmmConfig {

    /**
     * Which node label carries the kernel version the Module controller selects nodes by. {@code kmm}: KMM's own
     * node labeller writes {@link Labels#KERNEL_VERSION}. {@code nfd}: Node Feature Discovery's
     * {@link Labels#NFD_KERNEL_VERSION} is used and KMM's node labeller does not run.
     */
    @WithDefault("kmm")
    KernelLabelSource kernelLabelSource();

    enum KernelLabelSource {
        KMM(Labels.KERNEL_VERSION),
        NFD(Labels.NFD_KERNEL_VERSION);

        private final String labelKey;

        KernelLabelSource(String labelKey) {
            this.labelKey = labelKey;
        }

        /** The node label key that holds the kernel version. */
        public String labelKey() {
            return labelKey;
        }

        /** Whether KMM's own node labeller runs. */
        public boolean nodeLabellerEnabled() {
            return this == KMM;
        }
    }
}
