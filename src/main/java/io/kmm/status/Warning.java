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

    /**
     * spec.imageRepoSecret names a Secret that does not exist: nodes pull without credentials (and builds cannot push).
     */
    public static Warning missingImageRepoSecret(String namespace, String name) {
        return new Warning(Reason.IMAGE_REPO_SECRET_MISSING, "spec.imageRepoSecret: Secret " + namespace + "/" + name
                + " does not exist, so nodes pull the module images without credentials (and builds cannot push); "
                + "create it (type kubernetes.io/dockerconfigjson) or remove the field");
    }

    /**
     * Nothing is targeted, and why; not an error (a Module may be applied before its nodes exist).
     *
     * @param selected the nodes the selector matches
     * @param withoutKernel of those, the ones without a kernel KMM accepts
     * @param unmatched the kernels of selected nodes that no mapping matches (a few, for the message)
     */
    public static Warning noTargetedNodes(java.util.Map<String, String> selector, int selected, int withoutKernel,
            java.util.List<String> unmatched) {
        String why;
        if (selected == 0) {
            why = selector == null || selector.isEmpty() ? "the cluster has no node KMM may target"
                    : "no node has the labels of spec.selector " + selector;
        } else if (selected == withoutKernel) {
            why = selected + " node(s) match spec.selector but report no kernel version yet (or one that is not a "
                    + "kernel release)";
        } else {
            why = "no kernel mapping matches the kernel of the " + selected + " selected node(s) ("
                    + String.join(", ", unmatched.stream().limit(5).toList()) + (unmatched.size() > 5 ? ", ..." : "")
                    + ")";
        }
        return new Warning(Reason.NO_TARGETED_NODES, "no node is targeted: " + why
                + "; the module is loaded nowhere until a node matches");
    }
}
