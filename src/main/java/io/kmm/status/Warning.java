package io.kmm.status;

/**
 * Something the user should know that is not an error: listed in {@code status.warnings} (the message) and
 * announced once as a Warning event with its own reason.
 */
public record Warning(Reason reason, String message) {

    public static final Warning MISSING_PRE_STOP = new Warning(Reason.MISSING_PRE_STOP, "spec.moduleLoader has no "
            + "lifecycle.preStop hook: the kernel module will not be unloaded when its loader pod stops (for example on "
            + "a kernel upgrade or when the Module is deleted)");
}
