package io.kmm.status;

/**
 * Fired (as a CDI event) when the operator starts an in-cluster build, and when it sees one finish; the build
 * counters of KmmMetrics observe it.
 *
 * @param result {@code created}, {@code succeeded} or {@code failed}
 */
public record BuildCounted(String result) {

    public static final BuildCounted CREATED = new BuildCounted("created");
    public static final BuildCounted SUCCEEDED = new BuildCounted("succeeded");
    public static final BuildCounted FAILED = new BuildCounted("failed");
}
