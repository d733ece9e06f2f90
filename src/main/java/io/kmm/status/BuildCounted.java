package io.kmm.status;

/**
 * Fired (as a CDI event) when the operator starts an in-cluster build or signing, and when it sees one finish; the
 * build and signing counters of KmmMetrics observe it.
 *
 * @param result {@code created}, {@code succeeded} or {@code failed}
 * @param signing a signing build (else a build of the image)
 */
public record BuildCounted(String result, boolean signing) {

    public static final BuildCounted CREATED = new BuildCounted("created", false);
    public static final BuildCounted SUCCEEDED = new BuildCounted("succeeded", false);
    public static final BuildCounted FAILED = new BuildCounted("failed", false);
    public static final BuildCounted SIGN_CREATED = new BuildCounted("created", true);
    public static final BuildCounted SIGN_SUCCEEDED = new BuildCounted("succeeded", true);
    public static final BuildCounted SIGN_FAILED = new BuildCounted("failed", true);
}
