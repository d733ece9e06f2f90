package io.kmm.status;

import java.util.Locale;

/**
 * Every reason KMM gives, in a Module's conditions and in its events: one vocabulary, each documented in
 * docs/troubleshooting.md (a test holds the two together). The reason is the enum name in CamelCase.
 */
public enum Reason {

    // Degraded: what is wrong (one reason per problem; MultipleErrors when there are several)
    INVALID_KERNEL_MAPPING(Use.DEGRADED),
    INVALID_BUILD(Use.DEGRADED),
    INVALID_VOLUME(Use.DEGRADED),
    INVALID_MODULE(Use.DEGRADED),
    NAMESPACE_NOT_ALLOWED(Use.DEGRADED),
    DAEMON_SET_REJECTED(Use.DEGRADED),
    REGISTRY_CHECK_FAILED(Use.DEGRADED),
    BUILD_FAILED(Use.DEGRADED),
    BUILD_REFUSED(Use.DEGRADED),
    INVALID_SIGN(Use.DEGRADED),
    SIGNING_KEY_INVALID(Use.DEGRADED),
    SIGNING_NOT_CONFIGURED(Use.DEGRADED),
    UNSIGNED_IMAGE_MISSING(Use.DEGRADED),
    SIGN_FAILED(Use.DEGRADED),
    RECONCILE_FAILED(Use.DEGRADED),
    MULTIPLE_ERRORS(Use.DEGRADED),
    AS_EXPECTED(Use.DEGRADED),

    // Ready
    ALL_LOADERS_AVAILABLE(Use.READY),
    NO_TARGETED_NODES(Use.READY),
    LOADERS_NOT_AVAILABLE(Use.READY),
    DEGRADED(Use.READY),

    // Progressing
    BUILDING(Use.PROGRESSING),
    SIGNING(Use.PROGRESSING),
    ROLLING_OUT(Use.PROGRESSING),
    BLOCKED(Use.PROGRESSING),
    COMPLETE(Use.PROGRESSING),

    // Events (BuildFailed is both a Degraded reason and a Warning event)
    DAEMON_SET_CREATED(Use.EVENT),
    DAEMON_SET_UPDATED(Use.EVENT),
    DAEMON_SET_DELETED(Use.EVENT),
    BUILD_CREATED(Use.EVENT),
    BUILD_SUCCEEDED(Use.EVENT),
    SIGN_CREATED(Use.EVENT),
    SIGN_SUCCEEDED(Use.EVENT),
    MISSING_PRE_STOP(Use.WARNING),
    IMAGE_WITHOUT_TAG(Use.WARNING),
    MODPROBE_OVERRIDDEN(Use.WARNING),
    IMAGE_REPO_SECRET_MISSING(Use.WARNING),
    // versioned Modules (status.upgrade and events)
    VERSION_BATCH_STARTED(Use.EVENT),
    VERSION_ROLLOUT_COMPLETE(Use.EVENT),
    VERSION_ROLLOUT_PAUSED(Use.WARNING),

    // PreflightValidation: its Passed condition, and the verdict on each Module and kernel (with the Degraded
    // reasons above, Building and Signing)
    PREFLIGHT_PASSED(Use.PREFLIGHT),
    PREFLIGHT_FAILED(Use.PREFLIGHT),
    PREFLIGHT_IN_PROGRESS(Use.PREFLIGHT),
    NO_KERNEL_MAPPING(Use.PREFLIGHT),
    IMAGE_PRESENT(Use.PREFLIGHT),
    IMAGE_MISSING(Use.PREFLIGHT),
    BUILD_VERIFIED(Use.PREFLIGHT);

    /** Where the reason appears. */
    public enum Use {
        DEGRADED, READY, PROGRESSING, EVENT, WARNING, PREFLIGHT
    }

    private final Use use;
    private final String text;

    Reason(Use use) {
        this.use = use;
        StringBuilder camel = new StringBuilder();
        for (String word : name().split("_")) {
            camel.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
        }
        this.text = camel.toString();
    }

    /** The reason with this text, e.g. {@code InvalidKernelMapping}. */
    public static Reason of(String text) {
        for (Reason r : values()) {
            if (r.text.equals(text)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no reason " + text);
    }

    public Use use() {
        return use;
    }

    /** As users see it, e.g. {@code InvalidKernelMapping}. */
    @Override
    public String toString() {
        return text;
    }
}
