package io.kmm.status;

/**
 * Something the user should know that is not an error: listed in {@code status.warnings} (the message) and
 * announced once as a Warning event with its own reason.
 */
public record Warning(Reason reason, String message) {

    public static final Warning MISSING_PRE_STOP = new Warning(Reason.MISSING_PRE_STOP, "spec.moduleLoader has no "
            + "lifecycle.preStop hook: the kernel module will not be unloaded when its loader pod stops (for example on "
            + "a kernel upgrade or when the Module is deleted)");

    /** modprobe is set, and so is the user's own command or preStop hook, which wins. */
    public static Warning modprobeOverridden(String field, String step) {
        return new Warning(Reason.MODPROBE_OVERRIDDEN, field + " is set, so it is used as it is and spec.modprobe "
                + "does not " + step + " the module; remove it to let the operator " + step + " it");
    }

    /** A kernel mapping's image without tag or digest: what the nodes run can change without the Module changing. */
    public static Warning imageWithoutTag(int mapping, String image) {
        return new Warning(Reason.IMAGE_WITHOUT_TAG, "spec.kernelMappings[" + mapping + "].containerImage: \"" + image
                + "\" has no tag or digest, so nodes pull \"" + image + ":latest\", which can change without the "
                + "Module changing; pin a tag (e.g. ${KERNEL_FULL_VERSION}) or a digest");
    }
}
